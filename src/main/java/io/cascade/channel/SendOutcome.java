package io.cascade.channel;

import java.util.List;

/**
 * How one send through a provider ended. Providers return {@link Sent}, {@link Delivered} or {@link
 * Rejected}; transient trouble is thrown as {@link ProviderException} so that fault tolerance can
 * retry it, and becomes {@link GaveUp} once the provider's guard stops trying.
 */
public sealed interface SendOutcome {

  /**
   * The provider took the message; delivery receipts may follow, matched by these ids (one per SMS
   * part; none when the provider has no receipts).
   */
  record Sent(List<String> providerMessageIds) implements SendOutcome {
    public Sent {
      providerMessageIds = List.copyOf(providerMessageIds);
    }

    public static Sent withId(String providerMessageId) {
      return new Sent(providerMessageId == null ? List.of() : List.of(providerMessageId));
    }
  }

  /** The provider confirmed delivery to the recipient. */
  record Delivered(String providerMessageId) implements SendOutcome {}

  /** Permanent recipient error (e.g. invalid number): retrying cannot help, the next step can. */
  record Rejected(String error) implements SendOutcome {}

  /**
   * The provider's guard gave up on a transient failure; {@code reason} says which guard ended it.
   */
  record GaveUp(FailoverReason reason, String error) implements SendOutcome {}
}
