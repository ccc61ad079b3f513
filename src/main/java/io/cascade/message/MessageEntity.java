package io.cascade.message;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A message and where its cascade stands, as the API reads it; {@code MessageStore} writes it. The
 * row is also the outbox entry of its publication.
 */
@Entity
@Table(name = "message")
public class MessageEntity {

  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public MessageStatus status;

  public String reference;

  @Column(nullable = false)
  public String text;

  @Convert(converter = RouteConverter.class)
  @Column(nullable = false)
  public List<RouteStep> route;

  /** Index into {@link #route} of the step being attempted, or the last one tried. */
  @Column(name = "current_step", nullable = false)
  public int currentStep;

  /** How many walks over the route ended with every step failed for now (see WAITING). */
  @Column(name = "route_pass", nullable = false)
  public int routePass;

  @Column(name = "idempotency_key")
  public String idempotencyKey;

  /** SHA-256 of the request with defaults filled in, to recognise an idempotent replay. */
  @Column(name = "request_hash")
  public String requestHash;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "valid_until", nullable = false)
  public Instant validUntil;

  /**
   * When the outbox relay should (re)publish the message: null once the broker confirmed it; for a
   * waiting message, when its next walk over the route starts.
   */
  @Column(name = "publish_due_at")
  public Instant publishDueAt;

  /** Until when a dispatcher owns the current attempt; a redelivery waits for it to pass. */
  @Column(name = "claimed_until")
  public Instant claimedUntil;

  /** The dispatcher process that owns the current attempt (see DispatcherInstance). */
  @Column(name = "claimed_by")
  public UUID claimedBy;

  /** Where this message's webhook events go instead of the tenant's webhook URL. */
  @Column(name = "callback_url")
  public String callbackUrl;

  /**
   * While the current step waits for a receipt (see {@link RouteStep#waitFor()}): when the next
   * step starts if {@link #stepAttemptId} has not reached {@link #stepWaitFor} by then.
   */
  @Column(name = "step_due_at")
  public Instant stepDueAt;

  /** The attempt whose receipt the current step waits for. */
  @Column(name = "step_attempt_id")
  public UUID stepAttemptId;

  /** The status the current step waits for. */
  @Enumerated(EnumType.STRING)
  @Column(name = "step_wait_for")
  public WaitFor stepWaitFor;

  /** How urgently it is dispatched. */
  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Priority priority;

  /** Counts changes; incremented by {@code MessageStore}, the one writer of this row. */
  @Column(nullable = false)
  public long version;

  /** The step being attempted now. */
  public RouteStep currentRouteStep() {
    return route.get(currentStep);
  }
}
