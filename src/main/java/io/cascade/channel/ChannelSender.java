package io.cascade.channel;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * Sends a route step over one channel. Each channel has its own subclass that re-declares {@link
 * #send} with the fault tolerance guards, so every channel gets its own circuit breaker and its own
 * {@code quarkus.fault-tolerance."<class>/send".*} configuration keys. Whatever happens, {@code
 * send} completes with an outcome: the fallback turns exhausted retries, timeouts and an open
 * circuit into {@link SendOutcome.GaveUp}, which moves the message to the next step of its route.
 */
public abstract class ChannelSender {

  @Inject ProviderDirectory providers;

  /** The channel this sender serves. */
  public abstract Channel channel();

  /** Sends one step; never fails, see the class description. */
  public abstract Uni<SendOutcome> send(Outbound message);

  /** The provider call, deferred so that every retry is a fresh attempt. */
  protected Uni<SendOutcome> sendThroughProvider(Outbound message) {
    return Uni.createFrom().deferred(() -> providers.providerFor(channel()).send(message));
  }
}
