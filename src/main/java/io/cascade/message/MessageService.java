package io.cascade.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cascade.api.ApiException;
import io.cascade.api.Digests;
import io.cascade.api.Problem;
import io.cascade.api.Timestamps;
import io.cascade.dispatch.OutboxConfig;
import io.cascade.webhook.WebhookEvents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.core.Response.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.hibernate.exception.ConstraintViolationException;

/** Accepts messages durably (idempotently when asked to) and reads them back for their tenant. */
@ApplicationScoped
public class MessageService {

  /** How long an Idempotency-Key stays bound to the message it created. */
  static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  private static final String UNIQUE_VIOLATION = "23505";

  /** The result of a send: the message and whether it was an idempotent replay. */
  public record Accepted(MessageView message, boolean replayed, Instant publishDueAt) {}

  private final MessageRepository messages;
  private final AttemptRepository attempts;
  private final ObjectMapper json;
  private final Event<MessageAccepted> acceptedEvents;
  private final OutboxConfig outbox;
  private final StepsConfig steps;
  private final WebhookEvents webhookEvents;

  MessageService(
      MessageRepository messages,
      AttemptRepository attempts,
      ObjectMapper json,
      Event<MessageAccepted> acceptedEvents,
      OutboxConfig outbox,
      StepsConfig steps,
      WebhookEvents webhookEvents) {
    this.messages = messages;
    this.attempts = attempts;
    this.json = json;
    this.acceptedEvents = acceptedEvents;
    this.outbox = outbox;
    this.steps = steps;
    this.webhookEvents = webhookEvents;
  }

  /**
   * Commits the message, then announces it for publishing. The caller may answer 202 as soon as
   * this completes: from here on the row is the outbox entry that survives any broker outage.
   */
  public Uni<Accepted> accept(UUID tenantId, String idempotencyKey, SendMessageRequest request) {
    SendMessageRequest normalized = request.withDefaults();
    String requestHash = idempotencyKey == null ? null : Digests.sha256Hex(toJson(normalized));
    Uni<Accepted> acceptance =
        Uni.createFrom()
            .deferred(
                () ->
                    Panache.withTransaction(
                        () ->
                            acceptInTransaction(tenantId, idempotencyKey, requestHash, normalized)))
            // Two concurrent requests with one key: the loser of the insert race replays the
            // winner.
            .onFailure(MessageService::isIdempotencyKeyTaken)
            .retry()
            .atMost(1)
            .invoke(
                accepted -> {
                  if (!accepted.replayed()) {
                    acceptedEvents.fire(
                        new MessageAccepted(accepted.message().id(), accepted.publishDueAt()));
                  }
                });
    // Run to the end even if the client hangs up: a cancelled subscription would cut the
    // transaction in half or skip the immediate publish of a committed message. Cancelling the
    // returned Uni cancels only the wait for this future, not the subscription feeding it.
    CompletableFuture<Accepted> result = new CompletableFuture<>();
    acceptance.subscribe().with(result::complete, result::completeExceptionally);
    return Uni.createFrom().completionStage(result);
  }

  /** The tenant's message, or null when it does not exist or belongs to another tenant. */
  public Uni<MessageView> find(UUID tenantId, UUID id) {
    return Panache.withSession(
        () ->
            messages
                .findForTenant(tenantId, id)
                .flatMap(message -> message == null ? Uni.createFrom().nullItem() : view(message)));
  }

  /** A page of the tenant's messages, newest first, and the cursor of the next page. */
  public Uni<MessagePage> list(
      UUID tenantId, MessageStatus status, String reference, UUID cursor, int limit) {
    return Panache.withSession(
        () ->
            messages
                .page(tenantId, status, reference, cursor, limit + 1)
                .flatMap(
                    page -> {
                      List<MessageEntity> items =
                          page.size() > limit ? page.subList(0, limit) : page;
                      String next = page.size() > limit ? items.get(limit - 1).id.toString() : null;
                      return views(items).map(views -> new MessagePage(views, next));
                    }));
  }

  private Uni<Accepted> acceptInTransaction(
      UUID tenantId, String idempotencyKey, String requestHash, SendMessageRequest request) {
    if (idempotencyKey == null) {
      return insert(tenantId, null, null, request);
    }
    return messages
        .findByIdempotencyKey(tenantId, idempotencyKey)
        .flatMap(
            existing -> {
              if (existing == null) {
                return insert(tenantId, idempotencyKey, requestHash, request);
              }
              if (existing.createdAt.isAfter(Instant.now().minus(IDEMPOTENCY_WINDOW))) {
                if (!existing.requestHash.equals(requestHash)) {
                  throw new ApiException(
                      Status.CONFLICT,
                      "idempotency-conflict",
                      "This Idempotency-Key was used with a different body (message "
                          + existing.id
                          + ").");
                }
                return view(existing).map(view -> new Accepted(view, true, null));
              }
              // The key's window has passed: release it from the old message, then reuse it.
              existing.idempotencyKey = null;
              return messages
                  .flush()
                  .flatMap(ignored -> insert(tenantId, idempotencyKey, requestHash, request));
            });
  }

  private Uni<Accepted> insert(
      UUID tenantId, String idempotencyKey, String requestHash, SendMessageRequest request) {
    // Checked only for a new message, so that a replay still answers the one its key created; and
    // inside the transaction, so that a refusal stores nothing.
    if (request.callbackUrl() == null) {
      return persist(tenantId, idempotencyKey, requestHash, request);
    }
    return webhookEvents
        .recordedFor(tenantId)
        .flatMap(
            recorded -> {
              if (!recorded) {
                throw noWebhookForCallbackUrl();
              }
              return persist(tenantId, idempotencyKey, requestHash, request);
            });
  }

  /**
   * A callbackUrl's events are signed with the tenant's webhook secret and recorded only while it
   * has one: without it they would silently never be sent.
   */
  private static ApiException noWebhookForCallbackUrl() {
    return ApiException.unprocessable(
        "webhook-required",
        "A callbackUrl needs the tenant's webhook, whose secret signs every event.",
        List.of(
            new Problem.FieldError(
                "callbackUrl",
                "needs the tenant's webhook: set it first with PUT /v1/webhook (its secret signs"
                    + " every event)")));
  }

  private Uni<Accepted> persist(
      UUID tenantId, String idempotencyKey, String requestHash, SendMessageRequest request) {
    Instant now = Timestamps.now();
    MessageEntity message = new MessageEntity();
    message.id = MessageIds.next();
    message.tenantId = tenantId;
    message.status = MessageStatus.ACCEPTED;
    message.reference = request.reference();
    message.callbackUrl = request.callbackUrl();
    message.text = request.text();
    message.route = request.route();
    message.idempotencyKey = idempotencyKey;
    message.requestHash = requestHash;
    message.createdAt = now;
    message.updatedAt = now;
    message.validUntil = now.plusSeconds(request.validitySeconds());
    // This replica publishes right after commit; the relay takes over if that has not
    // succeeded when the lease runs out.
    message.publishDueAt = now.plus(outbox.publishLease());
    return messages
        .persist(message)
        .map(
            saved ->
                new Accepted(
                    MessageView.of(saved, List.of(), effectiveRoute(saved)),
                    false,
                    saved.publishDueAt));
  }

  private Uni<MessageView> view(MessageEntity message) {
    return attempts
        .forMessages(List.of(message.id))
        .map(list -> MessageView.of(message, list, effectiveRoute(message)));
  }

  private Uni<List<MessageView>> views(List<MessageEntity> page) {
    return attempts
        .forMessages(page.stream().map(m -> m.id).toList())
        .map(
            all -> {
              Map<UUID, List<AttemptEntity>> byMessage =
                  all.stream().collect(Collectors.groupingBy(a -> a.messageId));
              return page.stream()
                  .map(
                      m ->
                          MessageView.of(
                              m, byMessage.getOrDefault(m.id, List.of()), effectiveRoute(m)))
                  .toList();
            });
  }

  private List<RouteStep> effectiveRoute(MessageEntity message) {
    return message.route.stream().map(steps::effective).toList();
  }

  private String toJson(SendMessageRequest request) {
    try {
      return json.writeValueAsString(request);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a validated request is always serializable", e);
    }
  }

  private static boolean isIdempotencyKeyTaken(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConstraintViolationException violation
          && UNIQUE_VIOLATION.equals(violation.getSQLState())) {
        return true;
      }
      if (t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }
}
