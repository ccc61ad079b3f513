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
  /** The recipient read it (WhatsApp). */
  READ,
  /** A receipt said it could not be delivered. */
  UNDELIVERED,
  /** A receipt said its validity ran out in the network before delivery. */
  EXPIRED,
  /** A receipt said the carrier deleted it. */
  DELETED,
  /** A receipt said its fate is unknown to the carrier. */
  UNKNOWN,
  /** The sender gave up (transient errors, timeout or open circuit); see the error. */
  FAILED,
  /** The provider refused the recipient permanently, when sent or by a later receipt. */
  REJECTED,
  /** The service stopped while the attempt was under way, so its outcome is unknown. */
  INTERRUPTED;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
