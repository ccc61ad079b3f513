package io.cascade.core;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.SmsParts;
import io.cascade.core.Transition.Event;
import io.cascade.core.Transition.Metric;
import io.cascade.core.Transition.ProviderId;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageStatus;
import io.cascade.message.Priority;
import io.cascade.message.RouteStep;
import io.cascade.message.WaitFor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Every rule of a message's cascade, and nothing else: given the stored snapshot of a message and
 * one event (a delivery to claim its step, a provider's outcome, a receipt, a step deadline, the
 * end of its validity), what changes and what follows. No I/O, no clock, no framework: the store
 * reads the snapshot under the message row's lock and writes the {@link Transition} in the same
 * transaction; the caller acts on what follows after the commit.
 *
 * <p>The rules: statuses only move forward ({@code accepted -> sending -> sent -> delivered}, with
 * {@code sending <-> waiting} between walks over the route, and {@code sent -> sending} when a
 * step's receipt did not come); {@code delivered}, {@code failed} and {@code expired} are never
 * left. No step starts after {@code validUntil}. A message has at most one live claim (one attempt
 * {@code sending}). Every status change a tenant is told about records its webhook event. A
 * rejected step is never walked again.
 */
public final class CascadeCore {

  private static final int MAX_ERROR_LENGTH = 1000;
  private static final String INTERRUPTED =
      "interrupted: the dispatcher stopped before the outcome was known";

  private final CascadeRules rules;

  public CascadeCore(CascadeRules rules) {
    this.rules = rules;
  }

  /**
   * A delivery of the message reached a dispatcher.
   *
   * @param dispatcher the process claiming the step
   * @param provider the provider to try for a channel's step (the best one not yet tried)
   * @param held whether the message's tenant is disabled: no attempt starts
   */
  public record Claim(
      Instant now, UUID dispatcher, Function<Channel, String> provider, boolean held) {}

  /**
   * A provider answered (or its guard gave up on) the attempt {@code attemptId}.
   *
   * @param tried the providers of the step that failed it before this one, in this pass
   * @param otherProviderLeft whether a provider of the channel outside {@code tried} and this one
   *     is left to try
   */
  public record Outcome(
      Instant now,
      UUID attemptId,
      SendOutcome outcome,
      Set<String> tried,
      boolean otherProviderLeft) {}

  /**
   * A receipt brought attempt {@code attemptId} (all its parts together) to {@code status}.
   *
   * @param errorCode the provider's error code, for a negative receipt
   */
  public record Receipt(Instant now, UUID attemptId, AttemptStatus status, String errorCode) {}

  /**
   * The state of a message just accepted; the outbox publishes it unless the broker has it by then.
   */
  public MessageState accept(
      UUID id,
      UUID tenantId,
      String text,
      List<RouteStep> route,
      int validitySeconds,
      Priority priority,
      Instant now) {
    return new MessageState(
        id,
        tenantId,
        MessageStatus.ACCEPTED,
        text,
        route,
        0,
        0,
        now,
        now,
        now.plusSeconds(validitySeconds),
        now.plus(rules.publishLease()),
        null,
        null,
        null,
        null,
        null,
        null,
        priority);
  }

  /**
   * Claims the current step: leaves it to a live owner, ends attempts a dead one left {@code
   * sending} as {@code interrupted}, expires the message past its validity, holds it while its
   * tenant is disabled, or writes a {@code sending} attempt over the chosen provider for the caller
   * to send.
   */
  public Transition claim(Snapshot snapshot, Claim claim) {
    MessageState message = snapshot.message();
    Instant now = claim.now();
    if (message.status().isFinal()) {
      return Transition.none();
    }
    if (ownerStillSending(message, claim)) {
      // Look again when the claim ends or the owner could have died, without holding this delivery.
      // updated_at stays: the owner is the one at work.
      Instant ownerDeadline = now.plus(rules.ownerSilence());
      Instant lookAgain =
          message.claimedUntil().isBefore(ownerDeadline) ? message.claimedUntil() : ownerDeadline;
      return new Builder(message.withPublishDueAt(lookAgain)).build();
    }
    Builder result = new Builder(message.withStatus(message.status(), now).withPublishDueAt(null));
    if (message.status() == MessageStatus.SENDING) {
      for (AttemptState cutOff : snapshot.attempts()) {
        if (cutOff.status() == AttemptStatus.SENDING) {
          result.attempt(cutOff.ended(AttemptStatus.INTERRUPTED, null, INTERRUPTED, now));
          result.metric(
              new Metric.AttemptEnded(
                  cutOff.channel(), cutOff.provider(), AttemptStatus.INTERRUPTED.id()));
        }
      }
    }
    if (!now.isBefore(message.validUntil())) {
      result.message = result.message.withStatus(MessageStatus.EXPIRED, now).withClaim(null, null);
      result.event(EventType.EXPIRED, status(MessageStatus.EXPIRED));
      result.metric(new Metric.Final(MessageStatus.EXPIRED, message.createdAt()));
      return result.build();
    }
    if (claim.held()) {
      // Nothing is published for it: enabling the tenant publishes it again (and a cut-off send
      // is tried again then, so the message waits like one between two walks of its route).
      MessageStatus waiting =
          message.status() == MessageStatus.SENDING ? MessageStatus.WAITING : message.status();
      result.message = result.message.withStatus(waiting, now).withClaim(null, null);
      return result.build();
    }
    Set<Integer> rejected = snapshot.rejectedSteps();
    if (rejected.contains(message.currentStep())) {
      // A late receipt rejected this step's recipient after the walk had come back to it.
      return afterStepFailed(
          result, message, message.currentStep(), FailoverReason.REJECTED, rejected, now);
    }
    RouteStep step = message.currentRouteStep();
    AttemptState attempt =
        AttemptState.sending(
            UUID.randomUUID(),
            message.id(),
            message.currentStep(),
            step.channel(),
            claim.provider().apply(step.channel()),
            now);
    result.attempt(attempt);
    result.message =
        result
            .message
            .withStatus(MessageStatus.SENDING, now)
            .withClaim(now.plus(rules.claimLease()), claim.dispatcher());
    result.send = attempt;
    return result.build();
  }

  /**
   * Records a provider's outcome: a success ends the step or makes it wait for its receipt; a
   * failure hands the step to the channel's next provider, else the route's next open step, else
   * the message waits for its next walk (or fails when every step was rejected). An outcome for an
   * attempt no longer {@code sending} (another dispatcher took the step over) changes nothing.
   */
  public Transition outcome(Snapshot snapshot, Outcome outcome) {
    MessageState message = snapshot.message();
    AttemptState attempt = snapshot.attempt(outcome.attemptId()).orElse(null);
    if (attempt == null
        || attempt.status() != AttemptStatus.SENDING
        || message.status() != MessageStatus.SENDING) {
      return Transition.none();
    }
    Instant now = outcome.now();
    Builder result = new Builder(message.withStatus(message.status(), now).withClaim(null, null));
    if (outcome.outcome() instanceof SendOutcome.Sent
        || outcome.outcome() instanceof SendOutcome.Delivered) {
      return succeeded(result, attempt, outcome.outcome(), now);
    }
    FailoverReason reason;
    AttemptState ended;
    if (outcome.outcome() instanceof SendOutcome.Rejected rejected) {
      reason = FailoverReason.REJECTED;
      ended = attempt.ended(AttemptStatus.REJECTED, reason, error(reason, rejected.error()), now);
    } else {
      SendOutcome.GaveUp gaveUp = (SendOutcome.GaveUp) outcome.outcome();
      reason = gaveUp.reason();
      ended = attempt.ended(AttemptStatus.FAILED, reason, error(reason, gaveUp.error()), now);
    }
    result.attempt(ended);
    result.metric(
        new Metric.AttemptEnded(attempt.channel(), attempt.provider(), ended.status().id()));
    if (ended.status() == AttemptStatus.FAILED && outcome.otherProviderLeft()) {
      Set<String> tried = new HashSet<>(outcome.tried());
      tried.add(attempt.provider());
      result.metric(
          new Metric.ProviderFailover(attempt.channel(), attempt.provider(), reason.id()));
      result.dispatchAgain = tried;
      return result.build();
    }
    Set<Integer> rejected = snapshot.rejectedSteps();
    if (ended.status() == AttemptStatus.REJECTED) {
      rejected.add(attempt.step());
    }
    return afterStepFailed(result, message, attempt.step(), reason, rejected, now);
  }

  /**
   * The step {@code failed} ended without success for {@code reason}: the route's next open step
   * starts (dispatched again at once), else the message waits for its next walk over the route, or
   * fails when every step was rejected.
   */
  private Transition afterStepFailed(
      Builder result,
      MessageState message,
      int failed,
      FailoverReason reason,
      Set<Integer> rejected,
      Instant now) {
    OptionalInt next = firstOpenStep(message, failed + 1, rejected);
    if (next.isPresent()) {
      result.message =
          result
              .message
              .withStatus(MessageStatus.SENDING, now)
              .withStep(next.getAsInt(), message.routePass());
      String from = message.route().get(failed).channel().id();
      String to = message.route().get(next.getAsInt()).channel().id();
      result.event(EventType.FAILOVER, failover(from, to, reason));
      result.metric(new Metric.Failover(from, to, reason.id()));
      result.dispatchAgain = Set.of();
      return result.build();
    }
    OptionalInt restart = firstOpenStep(message, 0, rejected);
    if (restart.isEmpty()) {
      result.message = result.message.withStatus(MessageStatus.FAILED, now).withClaim(null, null);
      Map<String, String> data = status(MessageStatus.FAILED);
      data.put("reason", reason.id());
      result.event(EventType.FAILED, data);
      result.metric(new Metric.Final(MessageStatus.FAILED, message.createdAt()));
      return result.build();
    }
    // Every open step failed for now: walk the route again later (never past the validity; the
    // expiry sweep ends the message if that comes first). The outbox publishes it then.
    int pass = message.routePass() + 1;
    Instant nextWalk = now.plus(rules.walkDelay(pass));
    result.message =
        result
            .message
            .withStatus(MessageStatus.WAITING, now)
            .withClaim(null, null)
            .withStep(restart.getAsInt(), pass)
            .withPublishDueAt(
                nextWalk.isBefore(message.validUntil()) ? nextWalk : message.validUntil());
    result.metric(new Metric.RouteWait(reason.id()));
    return result.build();
  }

  private Transition succeeded(
      Builder result, AttemptState attempt, SendOutcome outcome, Instant now) {
    MessageState message = result.message;
    boolean delivered = outcome instanceof SendOutcome.Delivered;
    SendOutcome.Sent sent =
        outcome instanceof SendOutcome.Sent given
            ? given
            : SendOutcome.Sent.withId(((SendOutcome.Delivered) outcome).providerMessageId());
    List<String> ids = sent.providerMessageIds();
    // Counted from the text, the same way for every SMS provider (SMPP's parts have ids of their
    // own, an HTTP API splits the text itself).
    Integer parts = attempt.channel() == Channel.SMS ? SmsParts.partCount(message.text()) : null;
    AttemptState ended =
        attempt.accepted(
            delivered ? AttemptStatus.DELIVERED : AttemptStatus.SENT,
            ids.isEmpty() ? null : ids.get(0),
            parts,
            delivered ? now : null,
            now);
    result.attempt(ended);
    result.metric(
        new Metric.AttemptEnded(attempt.channel(), attempt.provider(), ended.status().id()));
    RouteStep step = message.route().get(attempt.step());
    boolean awaiting = delivered ? step.waitFor() == WaitFor.READ : step.waitFor() != WaitFor.SENT;
    MessageStatus status = delivered && !awaiting ? MessageStatus.DELIVERED : MessageStatus.SENT;
    result.message = message.withStatus(status, now);
    if (awaiting) {
      // The step is not done: the message stays sent until a receipt brings this attempt to what
      // the step waits for, or the step's deadline starts the next step.
      Instant due = now.plusSeconds(step.timeoutSeconds());
      result.message =
          result.message.withDeadline(
              due.isBefore(message.validUntil()) ? due : message.validUntil(),
              attempt.id(),
              step.waitFor());
    }
    if (!delivered || awaiting) {
      // Receipts name only the provider's ids: register them for the step that waits for one.
      for (int part = 0; part < ids.size(); part++) {
        result.providerIds.add(
            new ProviderId(attempt.provider(), sent.session(), ids.get(part), attempt.id(), part));
      }
    }
    Map<String, String> data = status(status);
    data.put("channel", attempt.channel().id());
    result.event(delivered && !awaiting ? EventType.DELIVERED : EventType.SENT, data);
    result.metric(new Metric.Final(status, message.createdAt()));
    return result.build();
  }

  /**
   * Applies a receipt to its attempt. It acts on the message only for its current step's attempt
   * (the awaited one while a deadline is set): reaching what the step waits for delivers the
   * message, a negative receipt for the awaited attempt starts the next step. A receipt for a step
   * the cascade has left is recorded on its attempt only; if it delivers that attempt after another
   * step delivered the message, it is counted as a double delivery.
   */
  public Transition receipt(Snapshot snapshot, Receipt receipt) {
    AttemptState attempt = snapshot.attempt(receipt.attemptId()).orElse(null);
    if (attempt == null || attempt.status() == receipt.status()) {
      return Transition.none();
    }
    MessageState message = snapshot.message();
    Instant now = receipt.now();
    boolean awaited = attempt.id().equals(message.stepAttemptId());
    boolean current =
        awaited || (message.stepAttemptId() == null && message.currentStep() == attempt.step());
    boolean readRequired = awaited && message.stepWaitFor() == WaitFor.READ;
    boolean reaches =
        receipt.status() == AttemptStatus.DELIVERED || receipt.status() == AttemptStatus.READ;
    boolean negative = isNegative(receipt.status());
    String error =
        negative
            ? "negative_receipt: "
                + receipt.status().id()
                + (receipt.errorCode() == null ? "" : ", error code " + receipt.errorCode())
            : attempt.error();
    AttemptState updated =
        attempt.receipted(
            receipt.status(),
            error,
            reaches && attempt.deliveredAt() == null ? now : attempt.deliveredAt());
    if (!current) {
      Builder result = new Builder(null).attempt(updated);
      if (reaches && !attempt.reachedRecipient() && message.status() == MessageStatus.DELIVERED) {
        snapshot.attempts().stream()
            .filter(a -> !a.id().equals(attempt.id()) && a.reachedRecipient())
            .min(
                Comparator.comparing(
                        AttemptState::deliveredAt, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(AttemptState::startedAt))
            .ifPresent(
                first ->
                    result.metric(
                        new Metric.DoubleDelivery(first.channel().id(), attempt.channel().id())));
      }
      return result.build();
    }
    if (awaited && negative) {
      // The receipt already wrote why into the attempt's error.
      return stepEnded(replace(snapshot, updated), FailoverReason.NEGATIVE_RECEIPT, null, now);
    }
    Builder result = new Builder(null).attempt(updated);
    // Delivered is not the end of a step that waits for read: the deadline stays.
    boolean done =
        receipt.status() == AttemptStatus.READ
            || (receipt.status() == AttemptStatus.DELIVERED && !readRequired);
    if (done && message.status() == MessageStatus.SENT) {
      result.message =
          message.withStatus(MessageStatus.DELIVERED, now).withDeadline(null, null, null);
      Map<String, String> data = status(MessageStatus.DELIVERED);
      data.put("channel", attempt.channel().id());
      result.event(EventType.DELIVERED, data);
    }
    if (receipt.status() == AttemptStatus.READ) {
      Map<String, String> data = new LinkedHashMap<>();
      data.put("status", AttemptStatus.READ.id());
      data.put("channel", attempt.channel().id());
      result.event(EventType.READ, data);
    }
    return result.build();
  }

  /**
   * The current step's deadline passed without the receipt it waits for: the next open step starts.
   * Nothing happens before the deadline (a receipt may have cleared it meanwhile).
   */
  public Transition deadline(Snapshot snapshot, Instant now) {
    MessageState message = snapshot.message();
    if (message.stepDueAt() == null || message.stepDueAt().isAfter(now)) {
      return Transition.none();
    }
    boolean deliveredOnly =
        message.stepWaitFor() == WaitFor.READ
            && snapshot
                .attempt(message.stepAttemptId())
                .map(a -> a.status() == AttemptStatus.DELIVERED)
                .orElse(false);
    FailoverReason reason =
        deliveredOnly ? FailoverReason.NOT_READ_IN_TIME : FailoverReason.NO_RECEIPT_IN_TIME;
    String note =
        deliveredOnly
            ? reason.id() + ": delivered but not read by the step's deadline"
            : reason.id() + ": no receipt by the step's deadline";
    return stepEnded(snapshot, reason, note, now);
  }

  /** Ends a message that waits for a dispatcher (first attempt or next walk) past its validity. */
  public Transition expire(Snapshot snapshot, Instant now) {
    MessageState message = snapshot.message();
    boolean waitsForDispatcher =
        message.status() == MessageStatus.ACCEPTED || message.status() == MessageStatus.WAITING;
    if (!waitsForDispatcher || now.isBefore(message.validUntil())) {
      return Transition.none();
    }
    Builder result =
        new Builder(message.withStatus(MessageStatus.EXPIRED, now).withPublishDueAt(null));
    result.event(EventType.EXPIRED, status(MessageStatus.EXPIRED));
    result.metric(new Metric.Final(MessageStatus.EXPIRED, message.createdAt()));
    return result.build();
  }

  /**
   * Ends a step that waited for a receipt in vain: the awaited attempt notes why ({@code note} goes
   * before its error; null when a receipt already explained it), and the next step that was not
   * rejected starts, published after the commit. With no step left, or past the validity, only the
   * deadline is cleared: the message stays {@code sent}, since a provider took it.
   */
  private Transition stepEnded(Snapshot snapshot, FailoverReason reason, String note, Instant now) {
    MessageState message = snapshot.message();
    Builder result =
        new Builder(message.withStatus(message.status(), now).withDeadline(null, null, null));
    snapshot
        .attempt(message.stepAttemptId())
        .ifPresent(
            awaited ->
                result.attempt(
                    awaited.noted(
                        reason,
                        note == null
                            ? awaited.error()
                            : awaited.error() == null ? note : note + "; " + awaited.error())));
    OptionalInt next =
        now.isBefore(message.validUntil())
            ? firstOpenStep(message, message.currentStep() + 1, snapshot.rejectedSteps())
            : OptionalInt.empty();
    if (next.isEmpty()) {
      return result.build();
    }
    String from = message.currentRouteStep().channel().id();
    String to = message.route().get(next.getAsInt()).channel().id();
    result.message =
        result
            .message
            .withStatus(MessageStatus.SENDING, now)
            .withStep(next.getAsInt(), message.routePass())
            .withPublishDueAt(now.plus(rules.publishLease()));
    result.event(EventType.FAILOVER, failover(from, to, reason));
    result.metric(new Metric.Failover(from, to, reason.id()));
    result.publish = true;
    return result.build();
  }

  private boolean ownerStillSending(MessageState message, Claim claim) {
    if (message.claimedUntil() == null || !message.claimedUntil().isAfter(claim.now())) {
      return false;
    }
    return message.claimedBy() == null
        || message.claimedBy().equals(claim.dispatcher())
        || (message.ownerSeenAt() != null
            && message.ownerSeenAt().isAfter(claim.now().minus(rules.ownerSilence())));
  }

  /** The first step from {@code from} on that was not rejected for good. */
  private static OptionalInt firstOpenStep(MessageState message, int from, Set<Integer> rejected) {
    return IntStream.range(from, message.route().size())
        .filter(step -> !rejected.contains(step))
        .findFirst();
  }

  private static boolean isNegative(AttemptStatus status) {
    return switch (status) {
      case UNDELIVERED, REJECTED, EXPIRED, DELETED, UNKNOWN -> true;
      default -> false;
    };
  }

  private static Snapshot replace(Snapshot snapshot, AttemptState attempt) {
    List<AttemptState> attempts = new ArrayList<>();
    for (AttemptState a : snapshot.attempts()) {
      attempts.add(a.id().equals(attempt.id()) ? attempt : a);
    }
    return new Snapshot(snapshot.message(), attempts);
  }

  private static Map<String, String> status(MessageStatus status) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("status", status.id());
    return data;
  }

  private static Map<String, String> failover(String from, String to, FailoverReason reason) {
    Map<String, String> data = status(MessageStatus.SENDING);
    data.put("from", from);
    data.put("to", to);
    data.put("reason", reason.id());
    return data;
  }

  private static String error(FailoverReason reason, String error) {
    String full = reason.id() + ": " + error;
    return full.length() <= MAX_ERROR_LENGTH ? full : full.substring(0, MAX_ERROR_LENGTH);
  }

  /** Collects one transition; the message is null while unchanged. */
  private static final class Builder {
    private MessageState message;
    private final List<AttemptState> attempts = new ArrayList<>();
    private final List<ProviderId> providerIds = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Metric> metrics = new ArrayList<>();
    private boolean publish;
    private AttemptState send;
    private Set<String> dispatchAgain;

    Builder(MessageState message) {
      this.message = message;
    }

    Builder attempt(AttemptState attempt) {
      attempts.removeIf(a -> a.id().equals(attempt.id()));
      attempts.add(attempt);
      return this;
    }

    void event(EventType type, Map<String, String> data) {
      events.add(new Event(type, data));
    }

    void metric(Metric metric) {
      metrics.add(metric);
    }

    Transition build() {
      return new Transition(
          message, attempts, providerIds, events, metrics, publish, send, dispatchAgain);
    }
  }
}
