package io.cascade.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, shared by everything that tries again later. */
public final class Backoff {

  private Backoff() {}

  /** {@code initial} doubled for each try after the first, capped at {@code max}, ±20 %. */
  public static Duration delay(Duration initial, Duration max, int tryNumber) {
    long delay = initial.toMillis() << Math.min(Math.max(tryNumber - 1, 0), 20);
    long capped = delay <= 0 || delay > max.toMillis() ? max.toMillis() : delay;
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.round(capped * jitter));
  }
}
