package io.cascade.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the store groups concurrent changes into shared transactions. */
@ConfigMapping(prefix = "cascade.store")
public interface StoreConfig {

  /** Most message changes (claims, outcomes, receipts) one transaction carries. */
  @WithDefault("64")
  int maxBatch();

  /**
   * Transactions of grouped changes running at once; what arrives meanwhile waits for the next.
   * Fewer means bigger batches (fewer commits), more means less waiting; each takes a connection.
   */
  @WithDefault("4")
  int maxInFlight();
}
