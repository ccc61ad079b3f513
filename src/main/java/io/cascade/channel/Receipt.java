package io.cascade.channel;

/**
 * A delivery receipt or status callback as a provider sent it: whose message ({@code
 * providerMessageId}, the id the provider answered the send with), what happened to it, and the
 * provider's error code when it failed.
 */
public record Receipt(
    String provider, String providerMessageId, ReceiptStatus status, String errorCode) {}
