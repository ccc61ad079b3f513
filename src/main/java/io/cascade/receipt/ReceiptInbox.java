package io.cascade.receipt;

import io.cascade.message.MessageStatus;
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
 * negative. A delivered attempt turns its {@code sent} message {@code delivered}. Both changes
 * record their webhook event ({@code message.delivered}, {@code message.read}) in the same
 * transaction.
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
  private static final String LOCK_ATTEMPT =
      "SELECT message_id, status, channel FROM attempt WHERE id = $1 FOR UPDATE";
  private static final String PART_STATUS =
      "SELECT status FROM provider_message WHERE provider = $1 AND provider_message_id = $2";
  private static final String UPDATE_PART =
      "UPDATE provider_message SET status = $3, error_code = $4, updated_at = now()"
          + " WHERE provider = $1 AND provider_message_id = $2";
  private static final String ATTEMPT_PARTS =
      "SELECT status FROM provider_message WHERE attempt_id = $1 ORDER BY part";
  private static final String UPDATE_ATTEMPT =
      "UPDATE attempt SET status = $2, error = COALESCE($3, error) WHERE id = $1";
  private static final String DELIVER_MESSAGE =
      "UPDATE message SET status = 'DELIVERED', updated_at = now(), version = version + 1"
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

  ReceiptInbox(Pool database, CascadeMetrics metrics, WebhookEvents events) {
    this.database = database;
    this.metrics = metrics;
    this.events = events;
  }

  /** Stores the receipt and applies it if its attempt is known; completes once committed. */
  public Uni<Void> accept(Receipt receipt) {
    UUID id = UUID.randomUUID();
    return database
        .withTransaction(
            connection ->
                connection
                    .preparedQuery(INSERT)
                    .execute(
                        Tuple.of(
                            id,
                            receipt.provider(),
                            receipt.providerMessageId(),
                            receipt.status().name(),
                            receipt.errorCode()))
                    .flatMap(inserted -> apply(connection, id, receipt)))
        .invoke(() -> metrics.receipt(receipt.provider(), receipt.status().id()))
        .replaceWithVoid();
  }

  /**
   * Applies stored receipts that were not matched yet and whose attempt is now known; receipts
   * older than {@code maxAgeSeconds} are left alone (unknown ids stay visible in the table).
   */
  public Uni<Integer> matchPending(long maxAgeSeconds, int limit) {
    return database.withTransaction(
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
                                    apply(connection, receiptId, receipt)
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
                    }));
  }

  /** Applies one stored receipt to its attempt; false when no attempt holds its id yet. */
  private Uni<Boolean> apply(SqlConnection connection, UUID receiptId, Receipt receipt) {
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
                  .preparedQuery(LOCK_ATTEMPT)
                  .execute(Tuple.of(attemptId))
                  .flatMap(
                      attempt ->
                          applyToPart(connection, receipt, partId)
                              .flatMap(
                                  ignored ->
                                      deriveAttempt(connection, attemptId, attempt, receipt)))
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

  /** Sets the attempt (and a delivered message) from all its parts. */
  private Uni<Void> deriveAttempt(
      SqlConnection connection, UUID attemptId, RowSet<Row> attemptRow, Receipt receipt) {
    Row attempt = attemptRow.iterator().next();
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
                      .execute(Tuple.of(attemptId, derived.attemptStatus().name(), error));
              Uni<Void> updated = update.replaceWithVoid();
              if (derived == ReceiptStatus.DELIVERED || derived == ReceiptStatus.READ) {
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
