package io.cascade.analytics;

import java.time.Instant;

/** The attempts one provider of one channel started in one hour, and how they ended. */
record Tally(
    Instant hour,
    String channel,
    String provider,
    long attempts,
    long delivered,
    long failed,
    DeliveryTimes times) {

  Tally plus(Tally other) {
    return new Tally(
        hour,
        channel,
        provider,
        attempts + other.attempts,
        delivered + other.delivered,
        failed + other.failed,
        times.plus(other.times));
  }
}
