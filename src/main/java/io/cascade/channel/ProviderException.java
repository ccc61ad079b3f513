package io.cascade.channel;

/**
 * A transient provider failure (5xx, connection trouble): worth retrying, counts against the
 * circuit.
 */
public class ProviderException extends RuntimeException {
  public ProviderException(String message) {
    super(message);
  }
}
