package io.cascade.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The one writer of {@code receipt} rows and of the receipt status of each SMS part in {@code
 * provider_message} (the {@link MessageStore} registers the parts). Every method runs in the
 * caller's transaction; the message row is locked before any part of its attempts is read, the lock
 * order of every writer of a message's state.
 */
@ApplicationScoped
public class ReceiptStore {

  /** The part a receipt names: its attempt, that attempt's message, and the id as stored. */
  public record Part(UUID attemptId, UUID messageId, String providerMessageId) {}

  /** A stored receipt not matched to an attempt yet. */
  public record Unmatched(
      UUID id, String provider, String providerMessageId, String status, String errorCode) {}

  private static final String INSERT =
      "INSERT INTO receipt (id, provider, provider_message_id, status, error_code, received_at,"
          + " next_match_at) VALUES ($1, $2, $3, $4, $5, now(), now())";
  private static final String FIND_PART =
      "SELECT p.attempt_id, a.message_id, p.provider_message_id FROM provider_message p"
          + " JOIN attempt a ON a.id = p.attempt_id"
          + " WHERE p.provider = $1 AND p.provider_message_id = ANY($2)"
          + " ORDER BY p.provider_message_id = $3 DESC LIMIT 1"; // the id as given wins
  private static final String LOCK_MESSAGE = "SELECT id FROM message WHERE id = $1 FOR UPDATE";
  private static final String PART_STATUS =
      "SELECT status FROM provider_message WHERE provider = $1 AND provider_message_id = $2";
  private static final String UPDATE_PART =
      "UPDATE provider_message SET status = $3, error_code = $4, updated_at = now()"
          + " WHERE provider = $1 AND provider_message_id = $2";
  private static final String ATTEMPT_PARTS =
      "SELECT status FROM provider_message WHERE attempt_id = $1 ORDER BY part";
  private static final String MARK_MATCHED =
      "UPDATE receipt SET attempt_id = $2, matched_at = now() WHERE id = $1";
  private static final String PENDING =
      "SELECT id FROM receipt WHERE attempt_id IS NULL AND next_match_at <= now()"
          + " AND received_at > now() - make_interval(secs => $1) ORDER BY next_match_at LIMIT $2";
  private static final String CLAIM_UNMATCHED =
      "SELECT id, provider, provider_message_id, status, error_code FROM receipt"
          + " WHERE id = $1 AND attempt_id IS NULL FOR UPDATE SKIP LOCKED";
  // 1 s, 2 s, 4 s ... up to 5 min between tries of a receipt whose id is still unknown.
  private static final String MATCH_LATER =
      "UPDATE receipt SET match_tries = match_tries + 1,"
          + " next_match_at = now() + make_interval(secs => LEAST(power(2, match_tries), 300))"
          + " WHERE id = $1";

  /** Stores a receipt as it came. */
  public Uni<Void> insert(
      SqlConnection connection,
      UUID id,
      String provider,
      String providerMessageId,
      String status,
      String errorCode) {
    return connection
        .preparedQuery(INSERT)
        .execute(Tuple.of(id, provider, providerMessageId, status, errorCode))
        .replaceWithVoid();
  }

  /** The part one of {@code forms} of a provider's id names, or null if none is registered. */
  public Uni<Part> findPart(
      SqlConnection connection, String provider, String[] forms, String asGiven) {
    return connection
        .preparedQuery(FIND_PART)
        .execute(Tuple.of(provider, forms, asGiven))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return null;
              }
              Row row = rows.iterator().next();
              return new Part(
                  row.getUUID("attempt_id"),
                  row.getUUID("message_id"),
                  row.getString("provider_message_id"));
            });
  }

  /** Locks the message row, so that the parts of its attempts are read and written in turn. */
  public Uni<Void> lockMessage(SqlConnection connection, UUID messageId) {
    return connection.preparedQuery(LOCK_MESSAGE).execute(Tuple.of(messageId)).replaceWithVoid();
  }

  /** The stored receipt status (an attempt status name) of one part. */
  public Uni<String> partStatus(SqlConnection connection, String provider, String partId) {
    return connection
        .preparedQuery(PART_STATUS)
        .execute(Tuple.of(provider, partId))
        .map(rows -> rows.iterator().next().getString("status"));
  }

  /** Sets one part's receipt status (and its error code, or null to keep none). */
  public Uni<Void> updatePart(
      SqlConnection connection, String provider, String partId, String status, String errorCode) {
    return connection
        .preparedQuery(UPDATE_PART)
        .execute(Tuple.of(provider, partId, status, errorCode))
        .replaceWithVoid();
  }

  /** The receipt status of every part of an attempt, in part order. */
  public Uni<List<String>> attemptParts(SqlConnection connection, UUID attemptId) {
    return connection
        .preparedQuery(ATTEMPT_PARTS)
        .execute(Tuple.of(attemptId))
        .map(
            rows -> {
              List<String> statuses = new ArrayList<>();
              rows.forEach(row -> statuses.add(row.getString("status")));
              return statuses;
            });
  }

  /** Notes which attempt a stored receipt was applied to. */
  public Uni<Void> markMatched(SqlConnection connection, UUID receiptId, UUID attemptId) {
    return connection
        .preparedQuery(MARK_MATCHED)
        .execute(Tuple.of(receiptId, attemptId))
        .replaceWithVoid();
  }

  /** Ids of unmatched receipts due for another try, younger than {@code maxAgeSeconds}. */
  public Uni<List<UUID>> pending(SqlConnection connection, long maxAgeSeconds, int limit) {
    return connection
        .preparedQuery(PENDING)
        .execute(Tuple.of((double) maxAgeSeconds, limit))
        .map(
            rows -> {
              List<UUID> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getUUID("id")));
              return ids;
            });
  }

  /** Locks an unmatched receipt for this transaction; null if matched or held elsewhere. */
  public Uni<Unmatched> claimUnmatched(SqlConnection connection, UUID id) {
    return connection
        .preparedQuery(CLAIM_UNMATCHED)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return null;
              }
              Row row = rows.iterator().next();
              return new Unmatched(
                  row.getUUID("id"),
                  row.getString("provider"),
                  row.getString("provider_message_id"),
                  row.getString("status"),
                  row.getString("error_code"));
            });
  }

  /** Tries an unmatched receipt again later, backing off. */
  public Uni<Void> matchLater(SqlConnection connection, UUID id) {
    return connection.preparedQuery(MATCH_LATER).execute(Tuple.of(id)).replaceWithVoid();
  }
}
