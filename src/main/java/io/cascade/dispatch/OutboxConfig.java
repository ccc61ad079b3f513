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
}
