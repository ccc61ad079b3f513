package io.cascade.dispatch;

import io.cascade.api.DatabaseFailures;
import io.cascade.api.Timestamps;
import io.cascade.channel.Channel;
import io.cascade.channel.GuardedProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderPool;
import io.cascade.channel.SendOutcome;
import io.cascade.core.AttemptState;
import io.cascade.core.CascadeCore;
import io.cascade.core.MessageState;
import io.cascade.core.Transition;
import io.cascade.message.RouteStep;
import io.cascade.store.MessageStore;
import io.cascade.tenant.TenantAccess;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Walks a message's route for one delivery from the queue: claims the current step, sends it
 * through one of the channel's guarded providers, records the outcome, and goes on while the
 * outcome says to (the channel's next provider, the route's next step). What each step means is
 * decided by the {@link CascadeCore}; the {@link MessageStore} commits each decision before the
 * next action, so a message redelivered after a crash resumes from what is stored: an attempt whose
 * outcome is recorded is never sent again; only an attempt cut off mid-send (outcome unknown) is
 * marked {@code interrupted} and tried again.
 */
@ApplicationScoped
public class Dispatcher {

  private final MessageStore store;
  private final CascadeCore core;
  private final ProviderPool providers;
  private final DispatcherInstance instance;
  private final AfterCommit afterCommit;
  private final TenantAccess access;

  Dispatcher(
      MessageStore store,
      CascadeCore core,
      ProviderPool providers,
      DispatcherInstance instance,
      AfterCommit afterCommit,
      TenantAccess access) {
    this.access = access;
    this.store = store;
    this.core = core;
    this.providers = providers;
    this.instance = instance;
    this.afterCommit = afterCommit;
  }

  /** Dispatches the message; completes once its resulting state is committed. */
  public Uni<Void> dispatch(UUID messageId) {
    return dispatch(messageId, Set.of());
  }

  /** Dispatches, skipping the providers of the current step that have failed it already. */
  private Uni<Void> dispatch(UUID messageId, Set<String> tried) {
    return store
        .change(
            messageId,
            snapshot ->
                core.claim(
                    snapshot,
                    new CascadeCore.Claim(
                        Timestamps.now(),
                        instance.id(),
                        channel -> provider(channel, tried),
                        access.isDisabled(snapshot.message().tenantId()))))
        .invoke(afterCommit::run)
        .flatMap(
            claim ->
                claim.send() == null
                    ? Uni.createFrom().voidItem()
                    : sendAndRecord(claim.message(), claim.send(), tried));
  }

  /** The best provider of the channel not tried yet in this pass, else the best one. */
  private String provider(Channel channel, Set<String> tried) {
    List<GuardedProvider> candidates = providers.candidates(channel, tried);
    // Empty only if the configuration changed under a redelivered message: start the step over.
    return (candidates.isEmpty() ? providers.candidates(channel, Set.of()) : candidates)
        .get(0)
        .name();
  }

  /** Sends the claimed attempt, records its outcome, and dispatches again if it says so. */
  private Uni<Void> sendAndRecord(MessageState message, AttemptState attempt, Set<String> tried) {
    RouteStep step = message.route().get(attempt.step());
    Outbound outbound =
        new Outbound(message.id(), step.channel(), step.to(), step.subject(), message.text());
    return providers
        .provider(step.channel(), attempt.provider())
        .send(outbound)
        .flatMap(outcome -> record(message.id(), attempt, outcome, tried))
        .invoke(afterCommit::run)
        .flatMap(
            recorded ->
                recorded.dispatchAgain() == null
                    ? Uni.createFrom().voidItem()
                    : dispatch(message.id(), recorded.dispatchAgain()));
  }

  private Uni<Transition> record(
      UUID messageId, AttemptState attempt, SendOutcome outcome, Set<String> tried) {
    // Asked after the send: a circuit may have opened meanwhile.
    Set<String> triedNow = new HashSet<>(tried);
    triedNow.add(attempt.provider());
    boolean otherProviderLeft = !providers.candidates(attempt.channel(), triedNow).isEmpty();
    return store
        .change(
            messageId,
            snapshot ->
                core.outcome(
                    snapshot,
                    new CascadeCore.Outcome(
                        Timestamps.now(), attempt.id(), outcome, tried, otherProviderLeft)))
        // The provider has answered: keep that answer through a database blip rather than lose it
        // and send the step again later.
        .onFailure(DatabaseFailures::isUnavailable)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .atMost(30);
  }
}
