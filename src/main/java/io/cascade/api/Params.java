package io.cascade.api;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/** Path and query parameters read the same way on every endpoint. */
public final class Params {

  private Params() {}

  /** The id, or empty for anything that is not a UUID. */
  public static Optional<UUID> uuid(String text) {
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A page size from 1 to {@code max}, or empty for anything else. */
  public static OptionalInt pageSize(String limit, int max) {
    try {
      int value = Integer.parseInt(limit);
      return value >= 1 && value <= max ? OptionalInt.of(value) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
