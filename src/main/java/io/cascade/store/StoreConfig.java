package io.cascade.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the store groups concurrent changes into shared transactions, and keeps its tables up. */
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

  /**
   * How long a send request may wait for a transaction to take it before it is answered 503
   * (nothing stored, retry): a database that falls behind sheds load at once instead of letting
   * every later request wait past its client's timeout.
   */
  @WithDefault("2s")
  Duration acceptMaxWait();

  /**
   * Who vacuums and analyzes the store's tables: {@code auto} the service when the server's
   * autovacuum is off, {@code always} the service, {@code off} the database (administrator).
   */
  @WithDefault("auto")
  Upkeep upkeep();

  /** How often the service looks whether its tables need a vacuum or an analysis. */
  @WithDefault("30s")
  Duration upkeepInterval();

  /** Who keeps the store's tables vacuumed and analyzed. */
  enum Upkeep {
    AUTO,
    ALWAYS,
    OFF
  }
}
