package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The state of one attempt of one route step over one provider. */
public enum AttemptStatus {
  /** Handed to the provider; outcome not known yet. */
  SENDING,
  /** The provider took it. */
  SENT,
  /** The provider confirmed delivery. */
  DELIVERED,
  /** The sender gave up (transient errors, timeout or open circuit); see the error. */
  FAILED,
  /** The provider refused the recipient permanently. */
  REJECTED,
  /** The service stopped while the attempt was under way, so its outcome is unknown. */
  INTERRUPTED;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
