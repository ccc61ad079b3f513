package io.cascade.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The dispatcher that walks a message's route. */
@ConfigMapping(prefix = "cascade.dispatch")
public interface DispatchConfig {

  /**
   * How long a dispatcher owns the step it is sending. A redelivered copy of the message waits for
   * the claim to lapse before it treats the attempt as interrupted and sends again, so this must
   * exceed the slowest sender's whole budget (timeout x attempts + backoff).
   */
  @WithDefault("60s")
  Duration claimLease();

  /** How often messages still waiting to be sent are checked for an elapsed validity. */
  @WithDefault("5s")
  Duration expirySweepInterval();
}
