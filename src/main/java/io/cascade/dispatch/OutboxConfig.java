package io.cascade.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The outbox: how committed messages reach the broker. */
@ConfigMapping(prefix = "cascade.outbox")
public interface OutboxConfig {

  /** How long a publisher owns a message before the relay may publish it again. */
  @WithDefault("10s")
  Duration publishLease();

  /** How often the relay looks for messages not yet confirmed by the broker. */
  @WithDefault("1s")
  Duration relayInterval();

  /** Most messages the relay claims per run. */
  @WithDefault("500")
  int relayBatchSize();

  /** Delay before a publication the broker did not confirm is tried again. */
  @WithDefault("1s")
  Duration retryDelay();

  /**
   * Fair share: while a class's queue holds this many ready messages, new messages of tenants
   * sending more than {@link #fairShareTenantRate()} a second in that class wait for their turn.
   */
  @WithDefault("500")
  int fairShareQueueDepth();

  /** Messages a second in one class above which a tenant's burst waits its turn (per replica). */
  @WithDefault("50")
  int fairShareTenantRate();

  /** Most messages waiting for their turn per class; beyond, the relay publishes them. */
  @WithDefault("100000")
  int fairShareMaxWaiting();
}
