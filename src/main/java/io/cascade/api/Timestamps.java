package io.cascade.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps at the precision PostgreSQL stores, so a value reads back exactly as written. */
public final class Timestamps {

  private Timestamps() {}

  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
