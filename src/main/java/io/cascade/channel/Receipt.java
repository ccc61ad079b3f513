package io.cascade.channel;

/**
 * A delivery receipt or status callback as a provider sent it: whose message ({@code
 * providerMessageId}, the id the provider answered the send with), what happened to it, the
 * provider's error code when it failed, and the session it came on ({@link SendOutcome.Sent#session
 * as sends name theirs}; empty for providers whose ids are unique provider-wide).
 */
public record Receipt(
    String provider,
    String providerMessageId,
    ReceiptStatus status,
    String errorCode,
    String session) {

  public Receipt {
    session = session == null ? "" : session;
  }

  /** A receipt from a provider without sessions. */
  public Receipt(
      String provider, String providerMessageId, ReceiptStatus status, String errorCode) {
    this(provider, providerMessageId, status, errorCode, "");
  }
}
