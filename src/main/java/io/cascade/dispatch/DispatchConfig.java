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

  /**
   * How long a message waits after a walk over its route in which every step failed for now
   * (provider errors, timeouts, open circuits) before it walks the route again. The wait doubles
   * with every such walk, up to {@link #routeRetryMaxDelay()}, with ±20 % jitter so that messages
   * that failed together do not all come back together.
   */
  @WithDefault("2s")
  Duration routeRetryDelay();

  /**
   * The longest wait between two walks over a route. It bounds how long a message waits after its
   * providers are back; shorter means more attempts (each one stored) while they are down.
   */
  @WithDefault("30s")
  Duration routeRetryMaxDelay();

  /**
   * How long a message may stay untouched by any dispatcher (not final, confirmed by the broker, no
   * live claim) before it is put back on the queue. Longer than any healthy queue wait, so it only
   * catches queue entries a broker fault lost or held; a backlog older than this gets republished
   * copies, which the dispatcher drops.
   */
  @WithDefault("60s")
  Duration stallLimit();

  /** How often the stall limit is checked. */
  @WithDefault("15s")
  Duration stallCheckInterval();

  /**
   * How far a queue must have come past a message still on it before the message counts as held by
   * the broker for no consumer and is published again ({@link QueueProgress}): more than the time a
   * delivery takes to reach a dispatcher's claim and more than the replicas' clocks differ.
   */
  @WithDefault("2s")
  Duration passedMargin();

  /** How often the queues' progress is compared with the messages on them. */
  @WithDefault("1s")
  Duration passedCheckInterval();

  /**
   * How long a stopping service (SIGTERM) waits for the deliveries in its hands to finish: it takes
   * no new ones, sends, records and acks those it has, then closes. Longer than a provider's whole
   * budget for one send, shorter than the platform's grace period (Kubernetes: {@code
   * terminationGracePeriodSeconds}, 30 s by default, minus the HTTP drain). What is still in hand
   * then is left to the broker's redelivery and sent again as {@code interrupted}.
   */
  @WithDefault("20s")
  Duration drainTimeout();

  /** How often messages still waiting to be sent are checked for an elapsed validity. */
  @WithDefault("5s")
  Duration expirySweepInterval();
}
