package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The outcome a route step waits for before the cascade ends with it: the provider took the message
 * ({@code sent}), a receipt confirmed delivery ({@code delivered}), or the recipient read it
 * ({@code read}, WhatsApp).
 */
public enum WaitFor {
  SENT,
  DELIVERED,
  READ;

  /** The lower-case names the API accepts, for error messages. */
  public static final String NAMES =
      Arrays.stream(values()).map(WaitFor::id).collect(Collectors.joining(", "));

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static WaitFor fromJson(String id) {
    return Arrays.stream(values())
        .filter(w -> w.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of " + NAMES));
  }
}
