package io.cascade.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The dispatcher that walks a message's route. */
@ConfigMapping(prefix = "cascade.dispatch")
public interface DispatchConfig {

  /**
   * How long a dispatcher owns the step it is sending. While its owner is alive, a redelivered copy
   * of the message leaves the step alone until the claim lapses, so this must exceed the slowest
   * sender's whole budget (timeout x attempts + backoff). A dead owner's claim is taken over at
   * once.
   */
  @WithDefault("60s")
  Duration claimLease();

  /**
   * How often this process records that it is alive. A step whose owner has been silent for three
   * intervals is taken over by the next delivery of its message.
   */
  @WithDefault("2s")
  Duration ownerHeartbeat();

  /** How often messages still waiting to be sent are checked for an elapsed validity. */
  @WithDefault("5s")
  Duration expirySweepInterval();
}
