package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How urgently a message is dispatched: {@code high} (OTP codes, alerts) before {@code normal}
 * before {@code bulk}. Each class has a dispatch queue and consumers of its own, so a backlog of a
 * lower class never holds up a higher one.
 */
public enum Priority {
  HIGH,
  NORMAL,
  BULK;

  /** The lower-case names the API accepts, for error messages. */
  public static final String NAMES =
      Arrays.stream(values()).map(Priority::id).collect(Collectors.joining(", "));

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static Priority fromJson(String id) {
    return Arrays.stream(values())
        .filter(p -> p.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of " + NAMES));
  }
}
