package io.cascade.dispatch;

import io.cascade.api.Backoff;
import io.cascade.api.DatabaseFailures;
import io.cascade.api.Timestamps;
import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.channel.GuardedProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderPool;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.SmsParts;
import io.cascade.message.AttemptEntity;
import io.cascade.message.AttemptRepository;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageEntity;
import io.cascade.message.MessageRepository;
import io.cascade.message.MessageStatus;
import io.cascade.message.RouteStep;
import io.cascade.message.StepsConfig;
import io.cascade.message.WaitFor;
import io.cascade.observability.CascadeMetrics;
import io.cascade.webhook.WebhookEvents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Walks a message's route: claims the current step, sends it through one of the channel's guarded
 * providers, records the outcome, and moves on until one succeeds or the route ends. A provider
 * that gives up on a transient failure hands the step to the next provider of the same channel;
 * only when every provider of the channel has failed does the message move to the next step. When
 * the route ends with a step that failed for now (not rejected), the message waits and walks the
 * route again later, skipping rejected steps, until it succeeds or its validity ends.
 *
 * <p>Every state change is committed before the next action, so a message redelivered after a crash
 * resumes from what is stored: an attempt whose outcome is recorded is never sent again; only an
 * attempt cut off mid-send (outcome unknown) is marked {@code interrupted} and tried again.
 */
@ApplicationScoped
public class Dispatcher {

  private static final Logger LOG = Logger.getLogger(Dispatcher.class);
  private static final int MAX_ERROR_LENGTH = 1000;

  private final MessageRepository messages;
  private final AttemptRepository attempts;
  private final ProviderPool providers;
  private final CascadeMetrics metrics;
  private final DispatchConfig config;
  private final DispatcherInstance instance;
  private final WebhookEvents events;
  private final StepsConfig steps;

  Dispatcher(
      MessageRepository messages,
      AttemptRepository attempts,
      ProviderPool providers,
      CascadeMetrics metrics,
      DispatchConfig config,
      DispatcherInstance instance,
      WebhookEvents events,
      StepsConfig steps) {
    this.messages = messages;
    this.attempts = attempts;
    this.providers = providers;
    this.metrics = metrics;
    this.config = config;
    this.instance = instance;
    this.events = events;
    this.steps = steps;
  }

  /** Dispatches the message; completes once its resulting state is committed. */
  public Uni<Void> dispatch(UUID messageId) {
    return dispatch(messageId, Set.of());
  }

  /** Dispatches, skipping the providers of the current step that have failed it already. */
  private Uni<Void> dispatch(UUID messageId, Set<String> triedProviders) {
    Context context = Vertx.currentContext();
    return claim(messageId, triedProviders).flatMap(claim -> act(claim, context));
  }

  private Uni<Void> act(Claim claim, Context context) {
    if (claim instanceof Claim.Send send) {
      return sendAndRecord(send, context)
          .flatMap(
              next ->
                  next == null
                      ? Uni.createFrom().voidItem()
                      : dispatch(send.messageId(), next.triedProviders()));
    }
    if (claim instanceof Claim.Expired expired) {
      metrics.finalStatus(MessageStatus.EXPIRED.id(), expired.acceptedAt());
    }
    return Uni.createFrom().voidItem();
  }

  /** What the stored state says to do next; decided and recorded in one transaction. */
  private sealed interface Claim {
    /** Nothing to do now: unknown message, final status, or a live owner is on it. */
    record Done() implements Claim {}

    /** Validity passed; the message was marked expired. */
    record Expired(Instant acceptedAt) implements Claim {}

    /** Send this step; the attempt row is already written. */
    record Send(
        UUID messageId,
        UUID attemptId,
        int step,
        RouteStep routeStep,
        GuardedProvider provider,
        Set<String> triedProviders,
        String text,
        Instant acceptedAt)
        implements Claim {}
  }

  /** What to do after recording an outcome: send again, skipping these providers of the step. */
  private record Next(Set<String> triedProviders) {}

  private Uni<Claim> claim(UUID messageId, Set<String> triedProviders) {
    return Panache.withTransaction(
        () ->
            messages
                .findById(messageId)
                .flatMap(
                    message -> {
                      if (message == null) {
                        LOG.warnf("message %s is not stored; dropping its queue entry", messageId);
                        return Uni.createFrom().item(new Claim.Done());
                      }
                      if (message.status.isFinal()) {
                        return Uni.createFrom().item(new Claim.Done());
                      }
                      Instant now = Timestamps.now();
                      return ownerStillSending(message, now)
                          .flatMap(
                              busy -> {
                                if (busy) {
                                  return leaveToOwner(message, now);
                                }
                                // Only a message left SENDING can have attempts to cut off.
                                Uni<List<AttemptEntity>> inFlight =
                                    message.status == MessageStatus.SENDING
                                        ? attempts.inFlight(messageId)
                                        : Uni.createFrom().item(List.of());
                                return inFlight.flatMap(
                                    cutOff -> claimStep(message, cutOff, now, triedProviders));
                              });
                    }));
  }

  /** Whether another live dispatcher (or this one, for a duplicate) owns the current step. */
  private Uni<Boolean> ownerStillSending(MessageEntity message, Instant now) {
    if (message.claimedUntil == null || !message.claimedUntil.isAfter(now)) {
      return Uni.createFrom().item(false);
    }
    return message.claimedBy == null
        ? Uni.createFrom().item(true)
        : instance.isAlive(message.claimedBy);
  }

  /**
   * Leaves the step to its live owner without holding this delivery (and its consumer) meanwhile:
   * the outbox republishes the message when the claim ends or the owner could have died, and that
   * delivery looks again. Written without a version bump, so the owner's own update never fails
   * over it (and may overwrite it: then the owner has moved the message on itself).
   */
  private Uni<Claim> leaveToOwner(MessageEntity message, Instant now) {
    Instant ownerDeadline = now.plus(instance.silenceLimit());
    Instant lookAgain =
        message.claimedUntil.isBefore(ownerDeadline) ? message.claimedUntil : ownerDeadline;
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery("UPDATE message SET publish_due_at = ?1 WHERE id = ?2")
                    .setParameter(1, lookAgain)
                    .setParameter(2, message.id)
                    .executeUpdate())
        .map(ignored -> new Claim.Done());
  }

  private Uni<Claim> claimStep(
      MessageEntity message, List<AttemptEntity> inFlight, Instant now, Set<String> tried) {
    for (AttemptEntity attempt : inFlight) {
      attempt.status = AttemptStatus.INTERRUPTED;
      attempt.endedAt = now;
      attempt.error = "interrupted: the dispatcher stopped before the outcome was known";
      metrics.attempt(attempt.channel.id(), attempt.provider, AttemptStatus.INTERRUPTED.id());
    }
    message.updatedAt = now;
    message.publishDueAt = null; // it reached a consumer, so the broker has it
    if (!now.isBefore(message.validUntil)) {
      message.status = MessageStatus.EXPIRED;
      message.claimedUntil = null;
      message.claimedBy = null;
      return events
          .record(message.id, WebhookEvents.Type.EXPIRED, status(MessageStatus.EXPIRED))
          .replaceWith(new Claim.Expired(message.createdAt));
    }
    RouteStep step = message.currentRouteStep();
    List<GuardedProvider> candidates = providers.candidates(step.channel(), tried);
    // Empty only if the configuration changed under a redelivered message: start the step over.
    GuardedProvider provider =
        candidates.isEmpty()
            ? providers.candidates(step.channel(), Set.of()).get(0)
            : candidates.get(0);
    AttemptEntity attempt = new AttemptEntity();
    attempt.id = UUID.randomUUID();
    attempt.messageId = message.id;
    attempt.step = message.currentStep;
    attempt.channel = step.channel();
    attempt.provider = provider.name();
    attempt.status = AttemptStatus.SENDING;
    attempt.startedAt = now;
    message.status = MessageStatus.SENDING;
    message.claimedUntil = now.plus(config.claimLease());
    message.claimedBy = instance.id();
    return attempts
        .persist(attempt)
        .map(
            saved ->
                new Claim.Send(
                    message.id,
                    attempt.id,
                    attempt.step,
                    step,
                    provider,
                    tried,
                    message.text,
                    message.createdAt));
  }

  /** Sends the claimed step and records its outcome; what to send next, if anything. */
  private Uni<Next> sendAndRecord(Claim.Send send, Context context) {
    RouteStep step = send.routeStep();
    Outbound outbound =
        new Outbound(send.messageId(), step.channel(), step.to(), step.subject(), send.text());
    return send.provider()
        .send(outbound)
        // Timeouts complete on a timer thread; the session work that follows needs the event loop.
        .emitOn(runnable -> runOn(context, runnable))
        .flatMap(
            outcome ->
                record(send, outcome)
                    // The provider has answered: keep that answer through a database blip rather
                    // than lose it and send the step again later.
                    .onFailure(DatabaseFailures::isUnavailable)
                    .retry()
                    .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                    .atMost(30));
  }

  private Uni<Next> record(Claim.Send send, SendOutcome outcome) {
    Channel channel = send.routeStep().channel();
    String provider = send.provider().name();
    Set<String> tried = new HashSet<>(send.triedProviders());
    tried.add(provider);
    boolean otherProviderLeft = !providers.candidates(channel, tried).isEmpty();
    return Panache.withTransaction(
            () ->
                messages
                    .findById(send.messageId())
                    .flatMap(
                        message ->
                            attempts
                                .findById(send.attemptId())
                                .flatMap(
                                    attempt ->
                                        rejectedSteps(message, outcome)
                                            .map(
                                                rejected ->
                                                    apply(
                                                        message,
                                                        attempt,
                                                        channel,
                                                        outcome,
                                                        rejected,
                                                        otherProviderLeft))
                                            .call(
                                                result ->
                                                    attempts.registerProviderIds(
                                                        attempt, result.providerMessageIds()))
                                            .call(
                                                result -> announce(message.id, channel, result)))))
        .map(
            result -> {
              metrics.attempt(channel.id(), provider, result.attemptStatus().id());
              if (result.nextProvider()) {
                metrics.providerFailover(channel.id(), provider, result.reason().id());
                return new Next(tried);
              }
              if (result.nextChannel() != null) {
                metrics.failover(channel.id(), result.nextChannel().id(), result.reason().id());
              }
              if (result.finalStatus() != null) {
                metrics.finalStatus(result.finalStatus().id(), send.acceptedAt());
              }
              if (result.waiting()) {
                metrics.routeWait(result.reason().id());
              }
              return result.nextChannel() != null ? new Next(Set.of()) : null;
            });
  }

  /** Records the webhook event of what recording the outcome did, in the same transaction. */
  private Uni<Void> announce(UUID messageId, Channel channel, Recorded result) {
    if (result.nextChannel() != null) {
      return events.record(
          messageId,
          WebhookEvents.Type.FAILOVER,
          new JsonObject()
              .put("status", MessageStatus.SENDING.id())
              .put("from", channel.id())
              .put("to", result.nextChannel().id())
              .put("reason", result.reason().id()));
    }
    if (result.finalStatus() == MessageStatus.SENT
        || result.finalStatus() == MessageStatus.DELIVERED) {
      return events.record(
          messageId,
          result.finalStatus() == MessageStatus.SENT
              ? WebhookEvents.Type.SENT
              : WebhookEvents.Type.DELIVERED,
          status(result.finalStatus()).put("channel", channel.id()));
    }
    if (result.finalStatus() == MessageStatus.FAILED) {
      return events.record(
          messageId,
          WebhookEvents.Type.FAILED,
          status(MessageStatus.FAILED).put("reason", result.reason().id()));
    }
    return Uni.createFrom().voidItem();
  }

  private static JsonObject status(MessageStatus status) {
    return new JsonObject().put("status", status.id());
  }

  /** Steps already rejected for good (none looked up after a success: nothing follows it). */
  private Uni<Set<Integer>> rejectedSteps(MessageEntity message, SendOutcome outcome) {
    if (outcome instanceof SendOutcome.Delivered || outcome instanceof SendOutcome.Sent) {
      return Uni.createFrom().item(Set.of());
    }
    return attempts.rejectedSteps(message.id);
  }

  /** What recording an outcome did, for metrics and the next send after the commit. */
  private record Recorded(
      AttemptStatus attemptStatus,
      MessageStatus finalStatus,
      Channel nextChannel,
      FailoverReason reason,
      boolean waiting,
      boolean nextProvider,
      List<String> providerMessageIds) {

    static Recorded failedOver(
        AttemptStatus status, Channel nextChannel, FailoverReason reason, boolean nextProvider) {
      return new Recorded(status, null, nextChannel, reason, false, nextProvider, List.of());
    }
  }

  private Recorded apply(
      MessageEntity message,
      AttemptEntity attempt,
      Channel channel,
      SendOutcome outcome,
      Set<Integer> rejectedBefore,
      boolean otherProviderLeft) {
    Instant now = Timestamps.now();
    attempt.endedAt = now;
    message.updatedAt = now;
    message.claimedUntil = null;
    message.claimedBy = null;
    if (outcome instanceof SendOutcome.Delivered || outcome instanceof SendOutcome.Sent) {
      List<String> ids =
          outcome instanceof SendOutcome.Sent sent
              ? sent.providerMessageIds()
              : SendOutcome.Sent.withId(((SendOutcome.Delivered) outcome).providerMessageId())
                  .providerMessageIds();
      boolean delivered = outcome instanceof SendOutcome.Delivered;
      attempt.status = delivered ? AttemptStatus.DELIVERED : AttemptStatus.SENT;
      attempt.deliveredAt = delivered ? now : null;
      attempt.providerMessageId = ids.isEmpty() ? null : ids.get(0);
      // Counted from the text, the same way for every SMS provider (SMPP's parts have ids of
      // their own, an HTTP API splits the text itself).
      attempt.parts = channel == Channel.SMS ? SmsParts.partCount(message.text) : null;
      RouteStep step = steps.effective(message.route.get(attempt.step));
      boolean awaiting =
          delivered ? step.waitFor() == WaitFor.READ : step.waitFor() != WaitFor.SENT;
      message.status = delivered && !awaiting ? MessageStatus.DELIVERED : MessageStatus.SENT;
      if (awaiting) {
        // The step is not done: the message stays sent until a receipt brings this attempt to
        // what the step waits for, or the step timer starts the next step at the deadline.
        Instant due = now.plusSeconds(step.timeoutSeconds());
        message.stepDueAt = due.isBefore(message.validUntil) ? due : message.validUntil;
        message.stepAttemptId = attempt.id;
        message.stepWaitFor = step.waitFor();
      }
      // Only a message that waits for receipts needs its ids registered.
      List<String> awaitingReceipts = delivered && !awaiting ? List.of() : ids;
      return new Recorded(
          attempt.status, message.status, null, null, false, false, awaitingReceipts);
    }
    FailoverReason reason;
    String error;
    if (outcome instanceof SendOutcome.Rejected rejected) {
      attempt.status = AttemptStatus.REJECTED;
      reason = FailoverReason.REJECTED;
      error = rejected.error();
    } else {
      SendOutcome.GaveUp gaveUp = (SendOutcome.GaveUp) outcome;
      attempt.status = AttemptStatus.FAILED;
      reason = gaveUp.reason();
      error = gaveUp.error();
    }
    attempt.error = truncate(reason.id() + ": " + error);
    attempt.reason = reason;
    if (attempt.status == AttemptStatus.FAILED && otherProviderLeft) {
      // Same step, next provider of the channel: the claim picks it on the next pass.
      LOG.debugf(
          "message %s: %s provider %s failed (%s), trying the next provider",
          message.id, channel.id(), attempt.provider, reason.id());
      return Recorded.failedOver(attempt.status, null, reason, true);
    }
    // A rejected step would be rejected again; every other failure may pass once providers recover.
    Set<Integer> rejected = new HashSet<>(rejectedBefore);
    if (attempt.status == AttemptStatus.REJECTED) {
      rejected.add(attempt.step);
    }
    OptionalInt next = firstOpenStep(message, attempt.step + 1, rejected);
    if (next.isPresent()) {
      message.currentStep = next.getAsInt();
      Channel nextChannel = message.currentRouteStep().channel();
      LOG.debugf(
          "message %s: %s failed (%s), failing over to %s",
          message.id, channel.id(), reason.id(), nextChannel.id());
      return Recorded.failedOver(attempt.status, nextChannel, reason, false);
    }
    OptionalInt restart = firstOpenStep(message, 0, rejected);
    if (restart.isEmpty()) {
      message.status = MessageStatus.FAILED;
      return new Recorded(
          attempt.status, MessageStatus.FAILED, null, reason, false, false, List.of());
    }
    // Every open step failed for now: wait, then walk the route again. The outbox relay republishes
    // the message when publish_due_at comes; the expiry sweep ends it if its validity runs out
    // first.
    message.status = MessageStatus.WAITING;
    message.currentStep = restart.getAsInt();
    message.routePass++;
    Instant nextWalk =
        now.plus(
            Backoff.delay(
                config.routeRetryDelay(), config.routeRetryMaxDelay(), message.routePass));
    message.publishDueAt = nextWalk.isBefore(message.validUntil) ? nextWalk : message.validUntil;
    LOG.debugf(
        "message %s: every open step failed (last: %s), next walk at %s",
        message.id, reason.id(), message.publishDueAt);
    return new Recorded(attempt.status, null, null, reason, true, false, List.of());
  }

  /** The first step from {@code from} on that was not rejected for good. */
  private static OptionalInt firstOpenStep(MessageEntity message, int from, Set<Integer> rejected) {
    return IntStream.range(from, message.route.size())
        .filter(step -> !rejected.contains(step))
        .findFirst();
  }

  private static void runOn(Context context, Runnable task) {
    if (context == null || Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(ignored -> task.run());
    }
  }

  private static String truncate(String error) {
    return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
  }
}
