package io.cascade.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cascade.api.ApiException;
import io.cascade.api.Digests;
import io.cascade.api.Problem;
import io.cascade.api.Timestamps;
import io.cascade.core.CascadeCore;
import io.cascade.core.MessageState;
import io.cascade.message.MessageAccepted;
import io.cascade.message.MessageEntity;
import io.cascade.message.MessageService;
import io.cascade.message.MessageView;
import io.cascade.message.SendMessageRequest;
import io.cascade.message.StepsConfig;
import io.cascade.observability.CascadeMetrics;
import io.cascade.store.GroupCommit;
import io.cascade.store.MessageStore;
import io.cascade.store.MessageStore.IdempotencyKey;
import io.cascade.store.StoreConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.core.Response.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts messages durably, idempotently when asked to. Concurrent requests share a transaction
 * (group commit): what arrives while earlier inserts are committing goes into the next one, a
 * multi-row insert; each request gets its answer only after the commit that holds it. An idle
 * service commits a lone request at once.
 */
@ApplicationScoped
public class Intake {

  /** How long an Idempotency-Key stays bound to the message it created. */
  static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  /** The result of a send: the message and whether it was an idempotent replay. */
  public record Accepted(MessageView message, boolean replayed) {}

  /** One request to accept, normalized; {@code requestHash} only with a key. */
  private record Request(
      UUID tenantId, String idempotencyKey, String requestHash, SendMessageRequest body) {
    IdempotencyKey key() {
      return new IdempotencyKey(tenantId, idempotencyKey);
    }
  }

  /** What the transaction did with one request. */
  private sealed interface Result {
    record Created(MessageEntity message) implements Result {}

    record Replay(UUID messageId) implements Result {}

    record Refused(ApiException problem) implements Result {}

    /** A concurrent transaction took the key first: try again, to replay its message. */
    record KeyTaken() implements Result {}
  }

  private static final class KeyTakenException extends RuntimeException {
    KeyTakenException() {
      super("idempotency key taken by a concurrent request", null, false, false);
    }
  }

  private final Pool database;
  private final MessageStore store;
  private final CascadeCore core;
  private final StepsConfig steps;
  private final MessageService messages;
  private final ObjectMapper json;
  private final Event<MessageAccepted> acceptedEvents;
  private final GroupCommit<Request, Result> commits;
  private final CascadeMetrics metrics;

  Intake(
      Pool database,
      MessageStore store,
      CascadeCore core,
      StepsConfig steps,
      MessageService messages,
      ObjectMapper json,
      Event<MessageAccepted> acceptedEvents,
      StoreConfig config,
      Vertx vertx,
      CascadeMetrics metrics) {
    this.database = database;
    this.store = store;
    this.core = core;
    this.steps = steps;
    this.messages = messages;
    this.json = json;
    this.acceptedEvents = acceptedEvents;
    this.metrics = metrics;
    this.commits =
        new GroupCommit<>(
            this::commit, config.maxBatch(), config.maxInFlight(), vertx, config.acceptMaxWait());
  }

  /**
   * Commits the message, then announces it for publishing. The caller may answer 202 as soon as
   * this completes: from here on the row is the outbox entry that survives any broker outage.
   */
  public Uni<Accepted> accept(UUID tenantId, String idempotencyKey, SendMessageRequest request) {
    SendMessageRequest normalized = request.withDefaults();
    String requestHash = idempotencyKey == null ? null : Digests.sha256Hex(toJson(normalized));
    Request accepting = new Request(tenantId, idempotencyKey, requestHash, normalized);
    Uni<Accepted> acceptance =
        Uni.createFrom()
            .deferred(() -> commits.submit(accepting))
            .flatMap(result -> answer(tenantId, result))
            .onFailure(KeyTakenException.class)
            .retry()
            .atMost(1)
            .onFailure(GroupCommit.Overloaded.class)
            .transform(
                waited -> {
                  metrics.shed();
                  return ApiException.overloaded(
                      "Too many messages are waiting to be stored; this one was not. Retry.");
                });
    // Run to the end even if the client hangs up: a cancelled subscription would skip the
    // immediate publish of a committed message. Cancelling the returned Uni cancels only the wait
    // for this future, not the subscription feeding it.
    CompletableFuture<Accepted> result = new CompletableFuture<>();
    acceptance.subscribe().with(result::complete, result::completeExceptionally);
    return Uni.createFrom().completionStage(result);
  }

  private Uni<Accepted> answer(UUID tenantId, Result result) {
    if (result instanceof Result.Created created) {
      MessageEntity message = created.message();
      acceptedEvents.fire(
          new MessageAccepted(
              message.id, message.tenantId, message.publishDueAt, message.priority));
      return Uni.createFrom()
          .item(
              new Accepted(
                  MessageView.of(
                      message, List.of(), message.route.stream().map(steps::effective).toList()),
                  false));
    }
    if (result instanceof Result.Replay replay) {
      return messages.find(tenantId, replay.messageId()).map(view -> new Accepted(view, true));
    }
    if (result instanceof Result.Refused refused) {
      return Uni.createFrom().failure(refused.problem());
    }
    return Uni.createFrom().failure(new KeyTakenException());
  }

  /** One transaction for a batch of requests; one result per request, in order. */
  private Uni<List<Result>> commit(List<Request> batch) {
    List<IdempotencyKey> keys = new ArrayList<>();
    List<UUID> callbackTenants = new ArrayList<>();
    for (Request request : batch) {
      if (request.idempotencyKey() != null) {
        keys.add(request.key());
      }
      if (request.body().callbackUrl() != null) {
        callbackTenants.add(request.tenantId());
      }
    }
    return database.withTransaction(
        connection ->
            Uni.combine()
                .all()
                .unis(
                    store.findKeys(connection, keys),
                    store.tenantsWithWebhook(connection, callbackTenants))
                .asTuple()
                .flatMap(found -> decide(connection, batch, found.getItem1(), found.getItem2())));
  }

  private Uni<List<Result>> decide(
      SqlConnection connection,
      List<Request> batch,
      Map<IdempotencyKey, MessageStore.KeyHolder> holders,
      Set<UUID> withWebhook) {
    Instant now = Timestamps.now();
    List<Result> results = new ArrayList<>();
    List<UUID> releases = new ArrayList<>();
    List<MessageEntity> inserts = new ArrayList<>();
    // A key used twice in one batch: the first request creates, the second compares with it.
    Map<IdempotencyKey, Request> firstInBatch = new HashMap<>();
    Map<IdempotencyKey, UUID> createdInBatch = new HashMap<>();
    for (Request request : batch) {
      if (request.idempotencyKey() != null) {
        IdempotencyKey key = request.key();
        MessageStore.KeyHolder holder = holders.get(key);
        if (holder != null && holder.createdAt().isAfter(now.minus(IDEMPOTENCY_WINDOW))) {
          results.add(replayOrConflict(request, holder.requestHash(), holder.messageId()));
          continue;
        }
        if (firstInBatch.containsKey(key)) {
          Request first = firstInBatch.get(key);
          UUID created = createdInBatch.get(key);
          results.add(
              created == null
                  ? new Result.KeyTaken() // the first was refused: this one is tried again
                  : replayOrConflict(request, first.requestHash(), created));
          continue;
        }
        firstInBatch.put(key, request);
        if (holder != null) {
          releases.add(holder.messageId()); // the key's window has passed: reuse it
        }
      }
      // Checked only for a new message, so that a replay still answers the one its key created.
      if (request.body().callbackUrl() != null && !withWebhook.contains(request.tenantId())) {
        results.add(new Result.Refused(noWebhookForCallbackUrl()));
        continue;
      }
      MessageEntity message = newMessage(request, now);
      inserts.add(message);
      if (request.idempotencyKey() != null) {
        createdInBatch.put(request.key(), message.id);
      }
      results.add(new Result.Created(message));
    }
    return store
        .releaseKeys(connection, releases)
        .flatMap(released -> store.insertNew(connection, inserts))
        .map(
            inserted ->
                results.stream()
                    .map(
                        r ->
                            r instanceof Result.Created c && !inserted.contains(c.message().id)
                                ? (Result) new Result.KeyTaken()
                                : r)
                    .toList());
  }

  private static Result replayOrConflict(Request request, String storedHash, UUID messageId) {
    if (!storedHash.equals(request.requestHash())) {
      return new Result.Refused(
          new ApiException(
              Status.CONFLICT,
              "idempotency-conflict",
              "This Idempotency-Key was used with a different body (message " + messageId + ")."));
    }
    return new Result.Replay(messageId);
  }

  private MessageEntity newMessage(Request request, Instant now) {
    SendMessageRequest body = request.body();
    MessageState state =
        core.accept(
            MessageIds.next(),
            request.tenantId(),
            body.text(),
            body.route(),
            body.validitySeconds(),
            body.effectivePriority(),
            now);
    MessageEntity message = new MessageEntity();
    message.id = state.id();
    message.tenantId = state.tenantId();
    message.status = state.status();
    message.reference = body.reference();
    message.callbackUrl = body.callbackUrl();
    message.text = state.text();
    message.route = body.route(); // stored as sent; defaults are applied when read
    message.idempotencyKey = request.idempotencyKey();
    message.requestHash = request.requestHash();
    message.createdAt = state.createdAt();
    message.updatedAt = state.updatedAt();
    message.validUntil = state.validUntil();
    // This replica publishes right after commit; the relay takes over if that has not succeeded
    // when the lease runs out.
    message.publishDueAt = state.publishDueAt();
    message.priority = state.priority();
    return message;
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

  private String toJson(SendMessageRequest request) {
    try {
      return json.writeValueAsString(request);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a validated request is always serializable", e);
    }
  }
}
