package io.cascade.channel;

import io.smallrye.mutiny.Uni;

/**
 * One provider of one channel (the simulator, an SMPP carrier, an HTTP API). Implementations must
 * not block: they are called on the event loop.
 */
public interface ChannelProvider {

  /** The provider's name as recorded on attempts, e.g. {@code simulator}. */
  String name();

  /**
   * Sends one step. Permanent recipient errors complete with {@link SendOutcome.Rejected};
   * transient errors fail with {@link ProviderException}.
   */
  Uni<SendOutcome> send(Outbound message);
}
