package io.cascade.channel;

/**
 * How one send through a channel ended. Providers return {@link Sent}, {@link Delivered} or {@link
 * Rejected}; transient trouble is thrown as {@link ProviderException} so that fault tolerance can
 * retry it, and becomes {@link GaveUp} once the sender stops trying.
 */
public sealed interface SendOutcome {

  /** The provider took the message; a delivery receipt may follow. */
  record Sent(String providerMessageId) implements SendOutcome {}

  /** The provider confirmed delivery to the recipient. */
  record Delivered(String providerMessageId) implements SendOutcome {}

  /** Permanent recipient error (e.g. invalid number): retrying cannot help, the next step can. */
  record Rejected(String error) implements SendOutcome {}

  /** The sender gave up on a transient failure; {@code reason} says which guard ended it. */
  record GaveUp(FailoverReason reason, String error) implements SendOutcome {}
}
