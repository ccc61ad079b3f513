package io.cascade.receipt;

import io.cascade.channel.FailoverReason;
import io.cascade.dispatch.StepFailover;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageStatus;
import io.cascade.message.WaitFor;
import io.cascade.observability.CascadeMetrics;
import io.cascade.webhook.WebhookEvents;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Stores delivery receipts and applies them to their attempts. A receipt is committed before the
 * provider gets its answer (callers wait for {@link #accept}), so a receipt the provider considers
 * handed over is never lost. It is matched to the attempt that holds its provider message id at
 * once when that id is known; a receipt that overtook the provider's answer to the send is kept
 * unmatched and {@link #matchPending} tries it again, after 1 s, 2 s, 4 s ... (at most 5 min
 * apart), so that receipts for ids Cascade never sent cost little.
 *
 * <p>Applying is monotonic per SMS part and per attempt (see {@link ReceiptStatus#then}): the
 * attempt row is locked while its parts are read, so receipts for the parts of one long SMS never
 * race each other. The attempt is delivered when every part is; any negative part makes it
 * negative. An attempt that reaches what its step waits for ({@link WaitFor}) turns its {@code
 * sent} message {@code delivered}; a negative receipt for the attempt a step waits for starts the
 * next step at once ({@link StepFailover}). Both changes record their webhook event ({@code
 * message.delivered}, {@code message.read}) in the same transaction.
 *
 * <p>Uses the SQL client directly, not a Hibernate session: receipts arrive on protocol threads
 * (SMPP) that have no Vert.x context.
 */
@ApplicationScoped
public class ReceiptInbox {

  private static final String INSERT =
      "INSERT INTO receipt (id, provider, provider_message_id, status, error_code, received_at,"
          + " next_match_at) VALUES ($1, $2, $3, $4, $5, now(), now())";
  private static final String FIND_PART =
      "SELECT attempt_id, provider_message_id FROM provider_message"
          + " WHERE provider = $1 AND provider_message_id = ANY($2)"
          + " ORDER BY provider_message_id = $3 DESC LIMIT 1"; // the id as given wins
  // The message is locked before its attempt, as the step timer does, so the two never deadlock.
  private static final String LOCK_MESSAGE =
      "SELECT current_step, step_attempt_id, step_wait_for FROM message"
          + " WHERE id = (SELECT message_id FROM attempt WHERE id = $1) FOR UPDATE";
  private static final String LOCK_ATTEMPT =
      "SELECT message_id, status, channel, step FROM attempt WHERE id = $1 FOR UPDATE";
  private static final String PART_STATUS =
      "SELECT status FROM provider_message WHERE provider = $1 AND provider_message_id = $2";
  private static final String UPDATE_PART =
      "UPDATE provider_message SET status = $3, error_code = $4, updated_at = now()"
          + " WHERE provider = $1 AND provider_message_id = $2";
  private static final String ATTEMPT_PARTS =
      "SELECT status FROM provider_message WHERE attempt_id = $1 ORDER BY part";
  private static final String UPDATE_ATTEMPT =
      "UPDATE attempt SET status = $2, error = COALESCE($3, error),"
          + " delivered_at = CASE WHEN $4 THEN COALESCE(delivered_at, now())"
          + " ELSE delivered_at END WHERE id = $1";
  // The channel that delivered the message before a late receipt delivered another step.
  private static final String DELIVERED_BEFORE =
      "SELECT a.channel FROM attempt a JOIN message m ON m.id = a.message_id"
          + " WHERE a.message_id = $1 AND a.id <> $2 AND m.status = 'DELIVERED'"
          + " AND a.status IN ('DELIVERED', 'READ')"
          + " ORDER BY a.delivered_at NULLS LAST, a.started_at LIMIT 1";
  private static final String DELIVER_MESSAGE =
      "UPDATE message SET status = 'DELIVERED', step_due_at = NULL, step_attempt_id = NULL,"
          + " step_wait_for = NULL, updated_at = now(), version = version + 1"
          + " WHERE id = $1 AND status = 'SENT'";
  private static final String MARK_MATCHED =
      "UPDATE receipt SET attempt_id = $2, matched_at = now() WHERE id = $1";
  private static final String PENDING =
      "SELECT id, provider, provider_message_id, status, error_code FROM receipt"
          + " WHERE attempt_id IS NULL AND next_match_at <= now()"
          + " AND received_at > now() - make_interval(secs => $1)"
          + " ORDER BY next_match_at LIMIT $2 FOR UPDATE SKIP LOCKED";
  // 1 s, 2 s, 4 s ... up to 5 min between tries of a receipt whose id is still unknown.
  private static final String MATCH_LATER =
      "UPDATE receipt SET match_tries = match_tries + 1,"
          + " next_match_at = now() + make_interval(secs => LEAST(power(2, match_tries), 300))"
          + " WHERE id = $1";

  private final Pool database;
  private final CascadeMetrics metrics;
  private final WebhookEvents events;
  private final StepFailover failover;

  ReceiptInbox(Pool database, CascadeMetrics metrics, WebhookEvents events, StepFailover failover) {
    this.database = database;
    this.metrics = metrics;
    this.events = events;
    this.failover = failover;
  }

  /** Stores the receipt and applies it if its attempt is known; completes once committed. */
  public Uni<Void> accept(Receipt receipt) {
    UUID id = UUID.randomUUID();
    List<StepFailover.Moved> moved = new ArrayList<>();
    List<DoubleDelivery> doubles = new ArrayList<>();
    return database
        .withTransaction(
            connection -> {
              moved.clear(); // a retried transaction starts over
              doubles.clear();
              return connection
                  .preparedQuery(INSERT)
                  .execute(
                      Tuple.of(
                          id,
                          receipt.provider(),
                          receipt.providerMessageId(),
                          receipt.status().name(),
                          receipt.errorCode()))
                  .flatMap(inserted -> apply(connection, id, receipt, moved, doubles));
            })
        .invoke(() -> metrics.receipt(receipt.provider(), receipt.status().id()))
        .invoke(() -> afterCommit(moved, doubles))
        .replaceWithVoid();
  }

  /**
   * Applies stored receipts that were not matched yet and whose attempt is now known; receipts
   * older than {@code maxAgeSeconds} are left alone (unknown ids stay visible in the table).
   */
  public Uni<Integer> matchPending(long maxAgeSeconds, int limit) {
    List<StepFailover.Moved> moved = new ArrayList<>();
    List<DoubleDelivery> doubles = new ArrayList<>();
    return database
        .withTransaction(
            connection ->
                connection
                    .preparedQuery(PENDING)
                    .execute(Tuple.of((double) maxAgeSeconds, limit))
                    .flatMap(
                        rows -> {
                          // One after the other: a connection runs one query at a time anyway.
                          Uni<Integer> matched = Uni.createFrom().item(0);
                          for (Row row : rows) {
                            UUID receiptId = row.getUUID("id");
                            Receipt receipt =
                                new Receipt(
                                    row.getString("provider"),
                                    row.getString("provider_message_id"),
                                    ReceiptStatus.valueOf(row.getString("status")),
                                    row.getString("error_code"));
                            matched =
                                matched.flatMap(
                                    count ->
                                        apply(connection, receiptId, receipt, moved, doubles)
                                            .flatMap(
                                                applied ->
                                                    applied
                                                        ? Uni.createFrom().item(count + 1)
                                                        : connection
                                                            .preparedQuery(MATCH_LATER)
                                                            .execute(Tuple.of(receiptId))
                                                            .replaceWith(count)));
                          }
                          return matched;
                        }))
        .invoke(() -> afterCommit(moved, doubles));
  }

  /** A late receipt delivered the step of {@code second} after {@code first} delivered. */
  private record DoubleDelivery(String first, String second) {}

  private void afterCommit(List<StepFailover.Moved> moved, List<DoubleDelivery> doubles) {
    failover.committed(moved);
    doubles.forEach(d -> metrics.doubleDelivery(d.first(), d.second()));
  }

  /** Applies one stored receipt to its attempt; false when no attempt holds its id yet. */
  private Uni<Boolean> apply(
      SqlConnection connection,
      UUID receiptId,
      Receipt receipt,
      List<StepFailover.Moved> moved,
      List<DoubleDelivery> doubles) {
    String[] forms = ProviderMessageIds.forms(receipt.providerMessageId()).toArray(String[]::new);
    return connection
        .preparedQuery(FIND_PART)
        .execute(Tuple.of(receipt.provider(), forms, receipt.providerMessageId()))
        .flatMap(
            parts -> {
              if (parts.rowCount() == 0) {
                return Uni.createFrom().item(false);
              }
              Row part = parts.iterator().next();
              UUID attemptId = part.getUUID("attempt_id");
              String partId = part.getString("provider_message_id");
              return connection
                  .preparedQuery(LOCK_MESSAGE)
                  .execute(Tuple.of(attemptId))
                  .flatMap(
                      message ->
                          connection
                              .preparedQuery(LOCK_ATTEMPT)
                              .execute(Tuple.of(attemptId))
                              .flatMap(
                                  attempt ->
                                      applyToPart(connection, receipt, partId)
                                          .flatMap(
                                              ignored ->
                                                  deriveAttempt(
                                                      connection,
                                                      attemptId,
                                                      attempt.iterator().next(),
                                                      message.iterator().next(),
                                                      receipt,
                                                      moved,
                                                      doubles))))
                  .flatMap(
                      ignored ->
                          connection
                              .preparedQuery(MARK_MATCHED)
                              .execute(Tuple.of(receiptId, attemptId)))
                  .replaceWith(true);
            });
  }

  private Uni<RowSet<Row>> applyToPart(SqlConnection connection, Receipt receipt, String partId) {
    return connection
        .preparedQuery(PART_STATUS)
        .execute(Tuple.of(receipt.provider(), partId))
        .flatMap(
            rows -> {
              ReceiptStatus current = ReceiptStatus.of(rows.iterator().next().getString("status"));
              ReceiptStatus next = current.then(receipt.status());
              return connection
                  .preparedQuery(UPDATE_PART)
                  .execute(
                      Tuple.of(
                          receipt.provider(),
                          partId,
                          next.attemptStatus().name(),
                          next == current ? null : receipt.errorCode()));
            });
  }

  /**
   * Sets the attempt from all its parts, and acts on the message only if the attempt is its current
   * step's: the awaited one while a deadline is set, else one of the step the cascade ended with. A
   * receipt for a step the cascade has left is recorded on its attempt and changes nothing else; if
   * it delivers that attempt while the message is already delivered, it is a double delivery.
   */
  private Uni<Void> deriveAttempt(
      SqlConnection connection,
      UUID attemptId,
      Row attempt,
      Row message,
      Receipt receipt,
      List<StepFailover.Moved> moved,
      List<DoubleDelivery> doubles) {
    UUID awaitedAttempt = message.getUUID("step_attempt_id");
    boolean awaited = attemptId.equals(awaitedAttempt);
    boolean current =
        awaited
            || (awaitedAttempt == null
                && message.getInteger("current_step").equals(attempt.getInteger("step")));
    boolean readRequired =
        awaited && WaitFor.READ.name().equals(message.getString("step_wait_for"));
    UUID messageId = attempt.getUUID("message_id");
    String before = attempt.getString("status");
    String channel = attempt.getString("channel").toLowerCase(Locale.ROOT);
    return connection
        .preparedQuery(ATTEMPT_PARTS)
        .execute(Tuple.of(attemptId))
        .flatMap(
            parts -> {
              ReceiptStatus derived = ofParts(parts);
              if (derived.attemptStatus().name().equals(before)) {
                return Uni.createFrom().voidItem();
              }
              String error =
                  derived.isNegative()
                      ? "negative_receipt: "
                          + derived.id()
                          + (receipt.errorCode() == null
                              ? ""
                              : ", error code " + receipt.errorCode())
                      : null;
              Uni<RowSet<Row>> update =
                  connection
                      .preparedQuery(UPDATE_ATTEMPT)
                      .execute(
                          Tuple.of(
                              attemptId,
                              derived.attemptStatus().name(),
                              error,
                              derived == ReceiptStatus.DELIVERED || derived == ReceiptStatus.READ));
              Uni<Void> updated = update.replaceWithVoid();
              if (!current) {
                boolean wasDelivered =
                    AttemptStatus.DELIVERED.name().equals(before)
                        || AttemptStatus.READ.name().equals(before);
                if (wasDelivered
                    || (derived != ReceiptStatus.DELIVERED && derived != ReceiptStatus.READ)) {
                  return updated;
                }
                return updated.flatMap(
                    ignored ->
                        connection
                            .preparedQuery(DELIVERED_BEFORE)
                            .execute(Tuple.of(messageId, attemptId))
                            .invoke(
                                first -> {
                                  for (Row row : first) {
                                    doubles.add(
                                        new DoubleDelivery(
                                            row.getString("channel").toLowerCase(Locale.ROOT),
                                            channel));
                                  }
                                })
                            .replaceWithVoid());
              }
              if (awaited && derived.isNegative()) {
                // The receipt already wrote why into the attempt's error.
                return updated.flatMap(
                    ignored ->
                        failover
                            .moveOn(connection, messageId, FailoverReason.NEGATIVE_RECEIPT, null)
                            .invoke(result -> result.ifPresent(moved::add))
                            .replaceWithVoid());
              }
              // Delivered is not the end of a step that waits for read: the deadline stays.
              boolean done =
                  derived == ReceiptStatus.READ
                      || (derived == ReceiptStatus.DELIVERED && !readRequired);
              if (done) {
                updated =
                    updated.flatMap(
                        ignored ->
                            connection
                                .preparedQuery(DELIVER_MESSAGE)
                                .execute(Tuple.of(messageId))
                                .flatMap(
                                    delivered ->
                                        delivered.rowCount() == 0
                                            ? Uni.createFrom().voidItem()
                                            : events.record(
                                                connection,
                                                messageId,
                                                WebhookEvents.Type.DELIVERED,
                                                new JsonObject()
                                                    .put("status", MessageStatus.DELIVERED.id())
                                                    .put("channel", channel))));
              }
              if (derived == ReceiptStatus.READ) {
                updated =
                    updated.flatMap(
                        ignored ->
                            events.record(
                                connection,
                                messageId,
                                WebhookEvents.Type.READ,
                                new JsonObject()
                                    .put("status", ReceiptStatus.READ.id())
                                    .put("channel", channel)));
              }
              return updated;
            });
  }

  /** Any negative part makes the attempt negative; otherwise it is as far as its slowest part. */
  private static ReceiptStatus ofParts(RowSet<Row> parts) {
    ReceiptStatus slowest = null;
    for (Row row : parts) {
      ReceiptStatus part = ReceiptStatus.of(row.getString("status"));
      if (part.isNegative()) {
        return part;
      }
      if (slowest == null || slowest.then(part) == slowest) {
        slowest = part;
      }
    }
    return slowest == null ? ReceiptStatus.SENT : slowest;
  }
}
