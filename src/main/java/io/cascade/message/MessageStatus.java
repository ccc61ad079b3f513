package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a message is: {@code accepted -> sending -> sent | delivered | failed | expired}, with
 * {@code sending -> waiting -> sending} while every provider of its route is failing. Once final,
 * the dispatcher never touches it again.
 */
public enum MessageStatus {
  /** Stored and queued; no attempt yet. */
  ACCEPTED,
  /** A step of its route is being attempted. */
  SENDING,
  /**
   * Every step of its route failed for now (provider errors, timeouts, open circuits); the route is
   * walked again later, until the validity ends.
   */
  WAITING,
  /** A provider took it; no delivery receipt (yet). */
  SENT,
  /** A provider confirmed delivery. */
  DELIVERED,
  /** Every step of the route was rejected for good. */
  FAILED,
  /** Its validity passed before any step succeeded. */
  EXPIRED;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the cascade is over for this message. */
  public boolean isFinal() {
    return this != ACCEPTED && this != SENDING && this != WAITING;
  }

  public static Optional<MessageStatus> fromId(String id) {
    return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst();
  }
}
