package io.cascade.core;

import io.cascade.message.MessageStatus;
import io.cascade.message.Priority;
import io.cascade.message.RouteStep;
import io.cascade.message.WaitFor;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A message as stored, the part of it that the cascade reads and changes. {@code route} holds the
 * effective steps (channel defaults filled in). Changes make copies ({@code with...}).
 *
 * @param claimedUntil until when {@code claimedBy} owns the current step's attempt
 * @param ownerSeenAt when the owner of the claim last beat (null if unknown or no claim)
 * @param stepDueAt while the current step waits for a receipt: when the next step starts
 * @param publishDueAt when the outbox (re)publishes the message; null once the broker has it
 * @param priority which dispatch queue it goes to
 */
public record MessageState(
    UUID id,
    UUID tenantId,
    MessageStatus status,
    String text,
    List<RouteStep> route,
    int currentStep,
    int routePass,
    Instant createdAt,
    Instant updatedAt,
    Instant validUntil,
    Instant publishDueAt,
    Instant claimedUntil,
    UUID claimedBy,
    Instant ownerSeenAt,
    Instant stepDueAt,
    UUID stepAttemptId,
    WaitFor stepWaitFor,
    Priority priority) {

  public MessageState {
    route = List.copyOf(route);
  }

  /** The step being attempted now, or the last one tried. */
  public RouteStep currentRouteStep() {
    return route.get(currentStep);
  }

  MessageState withStatus(MessageStatus next, Instant now) {
    return new MessageState(
        id,
        tenantId,
        next,
        text,
        route,
        currentStep,
        routePass,
        createdAt,
        now,
        validUntil,
        publishDueAt,
        claimedUntil,
        claimedBy,
        ownerSeenAt,
        stepDueAt,
        stepAttemptId,
        stepWaitFor,
        priority);
  }

  MessageState withStep(int step, int pass) {
    return new MessageState(
        id,
        tenantId,
        status,
        text,
        route,
        step,
        pass,
        createdAt,
        updatedAt,
        validUntil,
        publishDueAt,
        claimedUntil,
        claimedBy,
        ownerSeenAt,
        stepDueAt,
        stepAttemptId,
        stepWaitFor,
        priority);
  }

  MessageState withPublishDueAt(Instant due) {
    return new MessageState(
        id,
        tenantId,
        status,
        text,
        route,
        currentStep,
        routePass,
        createdAt,
        updatedAt,
        validUntil,
        due,
        claimedUntil,
        claimedBy,
        ownerSeenAt,
        stepDueAt,
        stepAttemptId,
        stepWaitFor,
        priority);
  }

  MessageState withClaim(Instant until, UUID by) {
    return new MessageState(
        id,
        tenantId,
        status,
        text,
        route,
        currentStep,
        routePass,
        createdAt,
        updatedAt,
        validUntil,
        publishDueAt,
        until,
        by,
        by == null ? null : ownerSeenAt,
        stepDueAt,
        stepAttemptId,
        stepWaitFor,
        priority);
  }

  MessageState withDeadline(Instant due, UUID attempt, WaitFor waitFor) {
    return new MessageState(
        id,
        tenantId,
        status,
        text,
        route,
        currentStep,
        routePass,
        createdAt,
        updatedAt,
        validUntil,
        publishDueAt,
        claimedUntil,
        claimedBy,
        ownerSeenAt,
        due,
        attempt,
        waitFor,
        priority);
  }
}
