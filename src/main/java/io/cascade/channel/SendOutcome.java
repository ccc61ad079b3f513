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
   * part; none when the provider has no receipts). {@code session} names the provider's session
   * that issued them (an SMPP bind: some SMSCs number ids per bind, and any may reuse them); empty
   * for providers whose ids are unique provider-wide.
   */
  record Sent(List<String> providerMessageIds, String session) implements SendOutcome {
    public Sent {
      providerMessageIds = List.copyOf(providerMessageIds);
      session = session == null ? "" : session;
    }

    public Sent(List<String> providerMessageIds) {
      this(providerMessageIds, "");
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
