package io.cascade.channel;

import io.smallrye.mutiny.Uni;

/**
 * One provider of one channel (the simulator, an SMPP carrier, an HTTP API), created from its
 * {@code cascade.provider."<name>".*} settings by {@link ProviderPool}. Implementations must not
 * block the caller: it is an event-loop thread.
 */
public interface ChannelProvider {

  /** The configured name, as recorded on attempts and receipts, e.g. {@code carrier-a}. */
  String name();

  /**
   * Sends one step. Permanent recipient errors complete with {@link SendOutcome.Rejected};
   * transient errors fail with {@link ProviderException}.
   */
  Uni<SendOutcome> send(Outbound message);

  /**
   * Whether it is known to be unable to take traffic now (e.g. its SMPP bind is down). Providers
   * that are down are tried after the others of their channel; a cold provider that was never
   * connected is not down.
   */
  default boolean isDown() {
    return false;
  }

  /**
   * Connects ahead of traffic; called at start-up for hot and warm providers. Must return at once
   * (connecting carries on in the background). A cold provider connects on its first send instead.
   */
  default void connect() {}

  /** Releases connections at shutdown. */
  default void close() {}
}
