package io.cascade.channel;

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
  REJECTED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
