package io.cascade.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, shared by everything that tries again later. */
public final class Backoff {

  private Backoff() {}

  /** {@code initial} doubled for each try after the first, capped at {@code max}, ±20 %. */
  public static Duration delay(Duration initial, Duration max, int tryNumber) {
    return delay(initial, max, tryNumber, ThreadLocalRandom.current().nextDouble());
  }

  /** As {@link #delay(Duration, Duration, int)}, with {@code jitter} uniform in [0, 1) given. */
  public static Duration delay(Duration initial, Duration max, int tryNumber, double jitter) {
    long delay = initial.toMillis() << Math.min(Math.max(tryNumber - 1, 0), 20);
    long capped = delay <= 0 || delay > max.toMillis() ? max.toMillis() : delay;
    return Duration.ofMillis(Math.round(capped * (0.8 + 0.4 * jitter)));
  }
}
