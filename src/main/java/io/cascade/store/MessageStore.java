package io.cascade.store;

import io.cascade.api.Timestamps;
import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.core.AttemptState;
import io.cascade.core.MessageState;
import io.cascade.core.Snapshot;
import io.cascade.core.Transition;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageEntity;
import io.cascade.message.MessageStatus;
import io.cascade.message.Priority;
import io.cascade.message.RouteConverter;
import io.cascade.message.RouteStep;
import io.cascade.message.StepsConfig;
import io.cascade.message.WaitFor;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * The one writer of a message's cascade state: {@code message} (its cascade columns), {@code
 * attempt}, {@code provider_message} (registrations) and {@code webhook_event} (new events). A
 * change locks the message rows it touches in id order (so two batches never deadlock), reads each
 * snapshot with its attempts, lets the caller's decision (the {@link io.cascade.core.CascadeCore})
 * turn it into a {@link Transition}, and writes every transition of the batch with one statement
 * per table, pipelined on one connection, in one transaction.
 *
 * <p>Concurrent changes share transactions through a {@link GroupCommit}: under load one commit
 * carries many deliveries' claims and outcomes.
 */
@ApplicationScoped
public class MessageStore {

  /** A tenant's Idempotency-Key. */
  public record IdempotencyKey(UUID tenantId, String key) {}

  /** The message that holds an Idempotency-Key, and the hash of the request that created it. */
  public record KeyHolder(UUID messageId, String requestHash, Instant createdAt) {}

  /** One message to change: its id and the decision to take on its snapshot. */
  public record Change(UUID messageId, Function<Snapshot, Transition> decide) {}

  private static final String LOAD =
      "SELECT m.id, m.tenant_id, m.status, m.text, m.route, m.current_step, m.route_pass,"
          + " m.created_at, m.updated_at, m.valid_until, m.publish_due_at, m.claimed_until,"
          + " m.claimed_by, d.seen_at AS owner_seen_at, m.step_due_at, m.step_attempt_id,"
          + " m.step_wait_for, m.priority, m.event_sequence, m.reference,"
          + " COALESCE(m.callback_url, w.url) AS event_url"
          + " FROM message m LEFT JOIN dispatcher_instance d ON d.id = m.claimed_by"
          + " LEFT JOIN tenant_webhook w ON w.tenant_id = m.tenant_id"
          + " WHERE m.id = ANY($1) ORDER BY m.id FOR UPDATE OF m";
  private static final String LOAD_ATTEMPTS =
      "SELECT id, message_id, step, channel, provider, status, error, reason,"
          + " provider_message_id, parts, started_at, ended_at, delivered_at"
          + " FROM attempt WHERE message_id = ANY($1) ORDER BY started_at, id";
  private static final String UPDATE_MESSAGES =
      "UPDATE message m SET status = u.status, current_step = u.current_step,"
          + " route_pass = u.route_pass, updated_at = u.updated_at,"
          + " publish_due_at = u.publish_due_at, claimed_until = u.claimed_until,"
          + " claimed_by = u.claimed_by, step_due_at = u.step_due_at,"
          + " step_attempt_id = u.step_attempt_id, step_wait_for = u.step_wait_for,"
          + " event_sequence = u.event_sequence, version = m.version + 1,"
          // Whoever changes a message has taken it off the queue (or never needed the queue).
          + " queued_at = NULL"
          + " FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::int[], $5::timestamptz[],"
          + " $6::timestamptz[], $7::timestamptz[], $8::uuid[], $9::timestamptz[], $10::uuid[],"
          + " $11::varchar[], $12::int[]) AS u(id, status, current_step, route_pass, updated_at,"
          + " publish_due_at, claimed_until, claimed_by, step_due_at, step_attempt_id,"
          + " step_wait_for, event_sequence) WHERE m.id = u.id";
  // New attempts and changed ones in one statement; what an attempt is (message, step, channel,
  // provider, start) never changes.
  // The message's tenant and acceptance are copied in, so that analytics read attempts alone.
  private static final String UPSERT_ATTEMPTS =
      "INSERT INTO attempt (id, message_id, step, channel, provider, status, error, reason,"
          + " provider_message_id, parts, started_at, ended_at, delivered_at, tenant_id,"
          + " accepted_at)"
          + " SELECT u.*, m.tenant_id, m.created_at FROM unnest($1::uuid[], $2::uuid[], $3::int[],"
          + " $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[],"
          + " $9::varchar[], $10::int[], $11::timestamptz[], $12::timestamptz[],"
          + " $13::timestamptz[]) AS u(id, message_id, step, channel, provider, status, error,"
          + " reason, provider_message_id, parts, started_at, ended_at, delivered_at)"
          + " JOIN message m ON m.id = u.message_id"
          + " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, error = EXCLUDED.error,"
          + " reason = EXCLUDED.reason, provider_message_id = EXCLUDED.provider_message_id,"
          + " parts = EXCLUDED.parts, ended_at = EXCLUDED.ended_at,"
          + " delivered_at = EXCLUDED.delivered_at";
  private static final String REGISTER_PROVIDER_IDS =
      "INSERT INTO provider_message (provider, session, provider_message_id, attempt_id, part,"
          + " status, registered_at, updated_at)"
          + " SELECT p.provider, p.session, p.id, p.attempt_id, p.part, 'SENT', now(), now()"
          + " FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::uuid[], $5::int[])"
          + " AS p(provider, session, id, attempt_id, part) ON CONFLICT DO NOTHING";
  private static final String INSERT_EVENTS =
      "INSERT INTO webhook_event (id, message_id, tenant_id, type, sequence, url, body,"
          + " created_at, next_attempt_at)"
          + " SELECT e.id, e.message_id, e.tenant_id, e.type, e.sequence, e.url, e.body,"
          + " e.created_at, e.created_at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[],"
          + " $4::varchar[], $5::int[], $6::varchar[], $7::text[], $8::timestamptz[])"
          + " AS e(id, message_id, tenant_id, type, sequence, url, body, created_at)";

  private static final String DEADLINES_DUE =
      "SELECT id FROM message WHERE step_due_at <= now() ORDER BY step_due_at LIMIT $1"
          + " FOR UPDATE SKIP LOCKED";
  private static final String VALIDITY_PASSED =
      "SELECT id FROM message WHERE status IN ('ACCEPTED', 'WAITING') AND valid_until <= now()"
          + " ORDER BY valid_until LIMIT $1 FOR UPDATE SKIP LOCKED";

  private static final String FIND_KEYS =
      "SELECT m.id, m.tenant_id, m.idempotency_key, m.request_hash, m.created_at FROM message m"
          + " JOIN unnest($1::uuid[], $2::varchar[]) AS k(tenant_id, key)"
          + " ON m.tenant_id = k.tenant_id AND m.idempotency_key = k.key";
  private static final String WITH_WEBHOOK =
      "SELECT tenant_id FROM tenant_webhook WHERE tenant_id = ANY($1)";
  private static final String RELEASE_KEYS =
      "UPDATE message SET idempotency_key = NULL WHERE id = ANY($1)";
  // A key taken meanwhile by a concurrent transaction is no error: that row is not inserted, and
  // its request tries again to replay the winner.
  private static final String INSERT_NEW =
      "WITH inserted AS (INSERT INTO message (id, tenant_id, status, reference, text, route,"
          + " idempotency_key, request_hash, created_at, updated_at, valid_until, publish_due_at,"
          + " callback_url, priority)"
          + " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[],"
          + " $5::text[], $6::text[], $7::varchar[], $8::char(64)[], $9::timestamptz[],"
          + " $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::varchar[],"
          + " $14::varchar[])"
          + " ON CONFLICT DO NOTHING RETURNING id, tenant_id, route),"
          // Each recipient of the route once, for the console's search by recipient.
          + " recipients AS (INSERT INTO message_recipient (tenant_id, recipient, message_id)"
          + " SELECT DISTINCT i.tenant_id, step ->> 'to', i.id"
          + " FROM inserted i, jsonb_array_elements(i.route::jsonb) AS step"
          + " WHERE step ->> 'to' IS NOT NULL)"
          + " SELECT id FROM inserted";

  private static final RouteConverter ROUTES = new RouteConverter();
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Pool database;
  private final StepsConfig steps;
  private final GroupCommit<Change, Transition> commits;

  MessageStore(Pool database, StepsConfig steps, StoreConfig config) {
    this.database = database;
    this.steps = steps;
    this.commits = new GroupCommit<>(this::changeAll, config.maxBatch(), config.maxInFlight());
  }

  /**
   * Changes one message as {@code decide} says, in a transaction shared with concurrent changes;
   * completes once committed. {@code decide} is not called for a message that is not stored (the
   * result is then {@link Transition#none()}), and may be called again if the batch is retried.
   */
  public Uni<Transition> change(UUID messageId, Function<Snapshot, Transition> decide) {
    return commits.submit(new Change(messageId, decide));
  }

  /** Changes many messages in the caller's transaction; results in the order of {@code changes}. */
  public Uni<List<Transition>> changeAll(SqlConnection connection, List<Change> changes) {
    TreeSet<UUID> ids = new TreeSet<>();
    changes.forEach(c -> ids.add(c.messageId()));
    UUID[] idArray = ids.toArray(UUID[]::new);
    // Pipelined: both reads go out before the first answer comes back.
    Uni<RowSet<Row>> messages = connection.preparedQuery(LOAD).execute(Tuple.of(idArray));
    Uni<RowSet<Row>> attempts = connection.preparedQuery(LOAD_ATTEMPTS).execute(Tuple.of(idArray));
    return Uni.combine()
        .all()
        .unis(messages, attempts)
        .asTuple()
        .flatMap(rows -> decideAndWrite(connection, changes, rows.getItem1(), rows.getItem2()));
  }

  /** The messages holding any of {@code keys}, in the caller's transaction. */
  public Uni<Map<IdempotencyKey, KeyHolder>> findKeys(
      SqlConnection connection, List<IdempotencyKey> keys) {
    if (keys.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfUUID(keys.stream().map(IdempotencyKey::tenantId).toArray(UUID[]::new))
            .addArrayOfString(keys.stream().map(IdempotencyKey::key).toArray(String[]::new));
    return connection
        .preparedQuery(FIND_KEYS)
        .execute(tuple)
        .map(
            rows -> {
              Map<IdempotencyKey, KeyHolder> holders = new HashMap<>();
              for (Row row : rows) {
                holders.put(
                    new IdempotencyKey(row.getUUID("tenant_id"), row.getString("idempotency_key")),
                    new KeyHolder(
                        row.getUUID("id"),
                        row.getString("request_hash"),
                        instant(row, "created_at")));
              }
              return holders;
            });
  }

  /** Which of {@code tenants} have a webhook (their message events are recorded). */
  public Uni<Set<UUID>> tenantsWithWebhook(SqlConnection connection, List<UUID> tenants) {
    if (tenants.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return connection
        .preparedQuery(WITH_WEBHOOK)
        .execute(Tuple.of(tenants.toArray(UUID[]::new)))
        .map(
            rows -> {
              Set<UUID> with = new HashSet<>();
              rows.forEach(row -> with.add(row.getUUID("tenant_id")));
              return with;
            });
  }

  /** Frees the Idempotency-Keys of these messages, whose window has passed. */
  public Uni<Void> releaseKeys(SqlConnection connection, List<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(RELEASE_KEYS)
        .execute(Tuple.of(messageIds.toArray(UUID[]::new)))
        .replaceWithVoid();
  }

  /**
   * Inserts new messages with one statement; the ids inserted (a message whose Idempotency-Key a
   * concurrent transaction took is not).
   */
  public Uni<Set<UUID>> insertNew(SqlConnection connection, List<MessageEntity> messages) {
    if (messages.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfUUID(messages.stream().map(m -> m.id).toArray(UUID[]::new))
            .addArrayOfUUID(messages.stream().map(m -> m.tenantId).toArray(UUID[]::new))
            .addArrayOfString(messages.stream().map(m -> m.status.name()).toArray(String[]::new))
            .addArrayOfString(messages.stream().map(m -> m.reference).toArray(String[]::new))
            .addArrayOfString(messages.stream().map(m -> m.text).toArray(String[]::new))
            .addArrayOfString(
                messages.stream()
                    .map(m -> ROUTES.convertToDatabaseColumn(m.route))
                    .toArray(String[]::new))
            .addArrayOfString(messages.stream().map(m -> m.idempotencyKey).toArray(String[]::new))
            .addArrayOfString(messages.stream().map(m -> m.requestHash).toArray(String[]::new))
            .addArrayOfOffsetDateTime(times(messages, m -> m.createdAt))
            .addArrayOfOffsetDateTime(times(messages, m -> m.updatedAt))
            .addArrayOfOffsetDateTime(times(messages, m -> m.validUntil))
            .addArrayOfOffsetDateTime(times(messages, m -> m.publishDueAt))
            .addArrayOfString(messages.stream().map(m -> m.callbackUrl).toArray(String[]::new))
            .addArrayOfString(messages.stream().map(m -> m.priority.name()).toArray(String[]::new));
    return connection
        .preparedQuery(INSERT_NEW)
        .execute(tuple)
        .map(
            rows -> {
              Set<UUID> inserted = new HashSet<>();
              rows.forEach(row -> inserted.add(row.getUUID("id")));
              return inserted;
            });
  }

  /**
   * Changes up to {@code limit} messages whose step deadline passed, as {@code decide} says, in one
   * transaction. Rows another transaction holds (another replica, a receipt being applied) are
   * skipped and come up again next time, so a deadline fires once.
   */
  public Uni<List<Transition>> changeDeadlinesDue(
      int limit, Function<Snapshot, Transition> decide) {
    return changeDue(DEADLINES_DUE, limit, decide);
  }

  /**
   * Changes up to {@code limit} messages that wait for a dispatcher (accepted, waiting) and whose
   * validity passed, as {@code decide} says, in one transaction; rows held elsewhere are skipped.
   */
  public Uni<List<Transition>> changeValidityPassed(
      int limit, Function<Snapshot, Transition> decide) {
    return changeDue(VALIDITY_PASSED, limit, decide);
  }

  private Uni<List<Transition>> changeDue(
      String due, int limit, Function<Snapshot, Transition> decide) {
    return database.withTransaction(
        connection ->
            connection
                .preparedQuery(due)
                .execute(Tuple.of(limit))
                .flatMap(
                    rows -> {
                      List<Change> changes = new ArrayList<>();
                      rows.forEach(row -> changes.add(new Change(row.getUUID("id"), decide)));
                      return changes.isEmpty()
                          ? Uni.createFrom().item(List.<Transition>of())
                          : changeAll(connection, changes);
                    }));
  }

  private Uni<List<Transition>> changeAll(List<Change> changes) {
    return database.withTransaction(connection -> changeAll(connection, changes));
  }

  private Uni<List<Transition>> decideAndWrite(
      SqlConnection connection,
      List<Change> changes,
      RowSet<Row> messageRows,
      RowSet<Row> attemptRows) {
    Map<UUID, Stored> stored = new HashMap<>();
    Map<UUID, List<AttemptState>> attemptsOf = new HashMap<>();
    for (Row row : attemptRows) {
      attemptsOf
          .computeIfAbsent(row.getUUID("message_id"), id -> new ArrayList<>())
          .add(attempt(row));
    }
    for (Row row : messageRows) {
      UUID id = row.getUUID("id");
      stored.put(
          id,
          new Stored(
              new Snapshot(message(row), attemptsOf.getOrDefault(id, List.of())),
              row.getInteger("event_sequence"),
              row.getUUID("tenant_id"),
              row.getString("reference"),
              row.getString("event_url")));
    }
    Writes writes = new Writes();
    List<Transition> results = new ArrayList<>();
    Instant now = Timestamps.now();
    for (Change change : changes) {
      Stored before = stored.get(change.messageId());
      if (before == null) {
        results.add(Transition.none());
        continue;
      }
      Transition transition = change.decide().apply(before.snapshot());
      results.add(transition);
      stored.put(change.messageId(), writes.add(before, transition, now));
    }
    return writes.execute(connection).replaceWith(results);
  }

  /** A loaded message with what its webhook events need. */
  private record Stored(
      Snapshot snapshot, int eventSequence, UUID tenantId, String reference, String eventUrl) {}

  /** Everything a batch writes, one statement per table. */
  private static final class Writes {
    private final Map<UUID, Stored> messages = new LinkedHashMap<>();
    private final Map<UUID, AttemptState> attempts = new LinkedHashMap<>();
    private final List<Transition.ProviderId> providerIds = new ArrayList<>();
    private final List<Object[]> events = new ArrayList<>();

    Stored add(Stored before, Transition transition, Instant now) {
      int sequence = before.eventSequence();
      for (Transition.Event event : transition.events()) {
        if (before.eventUrl() == null) {
          break; // events are recorded only for a tenant with a webhook: its secret signs them
        }
        sequence++;
        UUID id = UUID.randomUUID();
        MessageState message = before.snapshot().message();
        JsonObject body =
            new JsonObject()
                .put("id", id.toString())
                .put("type", event.type().id())
                .put("createdAt", EVENT_TIME.format(now.truncatedTo(ChronoUnit.MILLIS)))
                .put("messageId", message.id().toString())
                .put("reference", before.reference())
                .put("sequence", sequence)
                .put("data", new JsonObject(new LinkedHashMap<>(event.data())));
        events.add(
            new Object[] {
              id,
              message.id(),
              before.tenantId(),
              event.type().id(),
              sequence,
              before.eventUrl(),
              body.encode(),
              now
            });
      }
      Stored after =
          new Stored(
              before.snapshot().after(transition),
              sequence,
              before.tenantId(),
              before.reference(),
              before.eventUrl());
      if (transition.message() != null || sequence != before.eventSequence()) {
        messages.put(after.snapshot().message().id(), after);
      }
      transition.attempts().forEach(a -> attempts.put(a.id(), a));
      providerIds.addAll(transition.providerIds());
      return after;
    }

    Uni<Void> execute(SqlConnection connection) {
      List<Uni<RowSet<Row>>> statements = new ArrayList<>();
      if (!messages.isEmpty()) {
        statements.add(connection.preparedQuery(UPDATE_MESSAGES).execute(messageTuple()));
      }
      if (!attempts.isEmpty()) {
        statements.add(connection.preparedQuery(UPSERT_ATTEMPTS).execute(attemptTuple()));
      }
      if (!providerIds.isEmpty()) {
        statements.add(connection.preparedQuery(REGISTER_PROVIDER_IDS).execute(providerIdTuple()));
      }
      if (!events.isEmpty()) {
        statements.add(connection.preparedQuery(INSERT_EVENTS).execute(eventTuple()));
      }
      if (statements.isEmpty()) {
        return Uni.createFrom().voidItem();
      }
      // Pipelined on the one connection: one round trip for the whole batch.
      return Uni.join().all(statements).andFailFast().replaceWithVoid();
    }

    private Tuple messageTuple() {
      List<MessageState> states =
          messages.values().stream().map(s -> s.snapshot().message()).toList();
      return Tuple.tuple()
          .addArrayOfUUID(states.stream().map(MessageState::id).toArray(UUID[]::new))
          .addArrayOfString(states.stream().map(m -> m.status().name()).toArray(String[]::new))
          .addArrayOfInteger(states.stream().map(MessageState::currentStep).toArray(Integer[]::new))
          .addArrayOfInteger(states.stream().map(MessageState::routePass).toArray(Integer[]::new))
          .addArrayOfOffsetDateTime(times(states, MessageState::updatedAt))
          .addArrayOfOffsetDateTime(times(states, MessageState::publishDueAt))
          .addArrayOfOffsetDateTime(times(states, MessageState::claimedUntil))
          .addArrayOfUUID(states.stream().map(MessageState::claimedBy).toArray(UUID[]::new))
          .addArrayOfOffsetDateTime(times(states, MessageState::stepDueAt))
          .addArrayOfUUID(states.stream().map(MessageState::stepAttemptId).toArray(UUID[]::new))
          .addArrayOfString(states.stream().map(m -> name(m.stepWaitFor())).toArray(String[]::new))
          .addArrayOfInteger(
              messages.values().stream().map(Stored::eventSequence).toArray(Integer[]::new));
    }

    private Tuple attemptTuple() {
      List<AttemptState> list = List.copyOf(attempts.values());
      return Tuple.tuple()
          .addArrayOfUUID(list.stream().map(AttemptState::id).toArray(UUID[]::new))
          .addArrayOfUUID(list.stream().map(AttemptState::messageId).toArray(UUID[]::new))
          .addArrayOfInteger(list.stream().map(AttemptState::step).toArray(Integer[]::new))
          .addArrayOfString(list.stream().map(a -> a.channel().name()).toArray(String[]::new))
          .addArrayOfString(list.stream().map(AttemptState::provider).toArray(String[]::new))
          .addArrayOfString(list.stream().map(a -> a.status().name()).toArray(String[]::new))
          .addArrayOfString(list.stream().map(AttemptState::error).toArray(String[]::new))
          .addArrayOfString(list.stream().map(a -> name(a.reason())).toArray(String[]::new))
          .addArrayOfString(
              list.stream().map(AttemptState::providerMessageId).toArray(String[]::new))
          .addArrayOfInteger(list.stream().map(AttemptState::parts).toArray(Integer[]::new))
          .addArrayOfOffsetDateTime(times(list, AttemptState::startedAt))
          .addArrayOfOffsetDateTime(times(list, AttemptState::endedAt))
          .addArrayOfOffsetDateTime(times(list, AttemptState::deliveredAt));
    }

    private Tuple providerIdTuple() {
      return Tuple.tuple()
          .addArrayOfString(
              providerIds.stream().map(Transition.ProviderId::provider).toArray(String[]::new))
          .addArrayOfString(
              providerIds.stream().map(Transition.ProviderId::session).toArray(String[]::new))
          .addArrayOfString(
              providerIds.stream()
                  .map(Transition.ProviderId::providerMessageId)
                  .toArray(String[]::new))
          .addArrayOfUUID(
              providerIds.stream().map(Transition.ProviderId::attemptId).toArray(UUID[]::new))
          .addArrayOfInteger(
              providerIds.stream().map(Transition.ProviderId::part).toArray(Integer[]::new));
    }

    private Tuple eventTuple() {
      return Tuple.tuple()
          .addArrayOfUUID(events.stream().map(e -> (UUID) e[0]).toArray(UUID[]::new))
          .addArrayOfUUID(events.stream().map(e -> (UUID) e[1]).toArray(UUID[]::new))
          .addArrayOfUUID(events.stream().map(e -> (UUID) e[2]).toArray(UUID[]::new))
          .addArrayOfString(events.stream().map(e -> (String) e[3]).toArray(String[]::new))
          .addArrayOfInteger(events.stream().map(e -> (Integer) e[4]).toArray(Integer[]::new))
          .addArrayOfString(events.stream().map(e -> (String) e[5]).toArray(String[]::new))
          .addArrayOfString(events.stream().map(e -> (String) e[6]).toArray(String[]::new))
          .addArrayOfOffsetDateTime(
              events.stream().map(e -> utc((Instant) e[7])).toArray(OffsetDateTime[]::new));
    }
  }

  private MessageState message(Row row) {
    List<RouteStep> route =
        ROUTES.convertToEntityAttribute(row.getString("route")).stream()
            .map(steps::effective)
            .toList();
    String waitFor = row.getString("step_wait_for");
    return new MessageState(
        row.getUUID("id"),
        row.getUUID("tenant_id"),
        MessageStatus.valueOf(row.getString("status")),
        row.getString("text"),
        route,
        row.getInteger("current_step"),
        row.getInteger("route_pass"),
        instant(row, "created_at"),
        instant(row, "updated_at"),
        instant(row, "valid_until"),
        instant(row, "publish_due_at"),
        instant(row, "claimed_until"),
        row.getUUID("claimed_by"),
        instant(row, "owner_seen_at"),
        instant(row, "step_due_at"),
        row.getUUID("step_attempt_id"),
        waitFor == null ? null : WaitFor.valueOf(waitFor),
        Priority.valueOf(row.getString("priority")));
  }

  private static AttemptState attempt(Row row) {
    String reason = row.getString("reason");
    return new AttemptState(
        row.getUUID("id"),
        row.getUUID("message_id"),
        row.getInteger("step"),
        Channel.valueOf(row.getString("channel")),
        row.getString("provider"),
        AttemptStatus.valueOf(row.getString("status")),
        row.getString("error"),
        reason == null ? null : FailoverReason.valueOf(reason),
        row.getString("provider_message_id"),
        row.getInteger("parts"),
        instant(row, "started_at"),
        instant(row, "ended_at"),
        instant(row, "delivered_at"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static <T> OffsetDateTime[] times(Collection<T> items, Function<T, Instant> field) {
    return items.stream().map(field).map(MessageStore::utc).toArray(OffsetDateTime[]::new);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }
}
