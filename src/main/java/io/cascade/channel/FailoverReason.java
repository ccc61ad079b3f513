package io.cascade.channel;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Why a provider or a route step was left for the next one; the lower-case name appears in attempts
 * and metrics.
 */
public enum FailoverReason {
  /** The provider kept failing transiently until retries ran out. */
  SEND_ERROR,
  /** The provider did not answer within its timeout, retries included. */
  TIMEOUT,
  /** The provider's circuit breaker is open, so it was not called. */
  CIRCUIT_OPEN,
  /** The provider refused the recipient permanently. */
  REJECTED,
  /** A receipt said the step's message could not be delivered. */
  NEGATIVE_RECEIPT,
  /** The step's deadline passed without the receipt it waits for. */
  NO_RECEIPT_IN_TIME,
  /** The step waits for {@code read}; it was delivered but not read before its deadline. */
  NOT_READ_IN_TIME;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
