package io.cascade.core;

import io.cascade.api.Backoff;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The settings the cascade's decisions depend on.
 *
 * @param claimLease how long a dispatcher owns the step it sends
 * @param ownerSilence how long an owner may stay silent before its claim counts as dead
 * @param publishLease how long a publisher owns a message before the relay publishes it again
 * @param routeRetryDelay the wait before the second walk over a route whose steps all failed
 * @param routeRetryMaxDelay the longest wait between two walks
 * @param jitter uniform in [0, 1): spreads the walks of messages that failed together
 */
public record CascadeRules(
    Duration claimLease,
    Duration ownerSilence,
    Duration publishLease,
    Duration routeRetryDelay,
    Duration routeRetryMaxDelay,
    DoubleSupplier jitter) {

  /** How long a message waits before walk {@code pass + 1} over its route. */
  Duration walkDelay(int pass) {
    return Backoff.delay(routeRetryDelay, routeRetryMaxDelay, pass, jitter.getAsDouble());
  }
}
