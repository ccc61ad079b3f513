package io.cascade.store;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The one writer of {@code receipt} rows and of the receipt status of each SMS part in {@code
 * provider_message} (the {@link MessageStore} registers the parts). Every method runs in the
 * caller's transaction and takes a whole batch of receipts in one statement; the message rows are
 * locked in id order before any part of their attempts is read, the lock order of every writer of a
 * message's state.
 */
@ApplicationScoped
public class ReceiptStore {

  /** A receipt and the id of its row. */
  public record Stored(UUID id, Receipt receipt) {}

  /** How to find a receipt's part: its provider and the forms of the id it names. */
  public record Lookup(String provider, String asGiven, Set<String> forms) {}

  /** The part a receipt names: its attempt, that attempt's message, and the id as stored. */
  public record Part(UUID attemptId, UUID messageId, String providerMessageId) {}

  /** One stored part of an attempt and its receipt status. */
  public record PartState(
      UUID attemptId, String provider, String providerMessageId, ReceiptStatus status) {}

  /** A part's new receipt status and the error code that came with it. */
  public record PartUpdate(
      String provider, String providerMessageId, ReceiptStatus status, String errorCode) {}

  private static final String INSERT =
      "INSERT INTO receipt (id, provider, provider_message_id, status, error_code, received_at,"
          + " attempt_id, matched_at, next_match_at)"
          + " SELECT r.id, r.provider, r.provider_message_id, r.status, r.error_code, now(),"
          + " r.attempt_id, CASE WHEN r.attempt_id IS NULL THEN NULL ELSE now() END,"
          + " CASE WHEN r.attempt_id IS NULL THEN now() END"
          + " FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],"
          + " $6::uuid[]) AS r(id, provider, provider_message_id, status, error_code, attempt_id)";
  // One row per receipt that names a registered part; the id as given wins over its other forms.
  private static final String FIND_PARTS =
      "SELECT DISTINCT ON (f.receipt) f.receipt, p.attempt_id, a.message_id, p.provider_message_id"
          + " FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[])"
          + " AS f(receipt, provider, form, given)"
          + " JOIN provider_message p ON p.provider = f.provider AND p.provider_message_id = f.form"
          + " JOIN attempt a ON a.id = p.attempt_id"
          + " ORDER BY f.receipt, p.provider_message_id = f.given DESC";
  private static final String LOCK_MESSAGES =
      "SELECT id FROM message WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  private static final String ATTEMPT_PARTS =
      "SELECT attempt_id, provider, provider_message_id, status FROM provider_message"
          + " WHERE attempt_id = ANY($1) ORDER BY attempt_id, part";
  private static final String UPDATE_PARTS =
      "UPDATE provider_message p SET status = u.status, error_code = u.error_code,"
          + " updated_at = now() FROM unnest($1::varchar[], $2::varchar[], $3::varchar[],"
          + " $4::varchar[]) AS u(provider, id, status, error_code)"
          + " WHERE p.provider = u.provider AND p.provider_message_id = u.id";
  private static final String MARK_MATCHED =
      "UPDATE receipt r SET attempt_id = u.attempt_id, matched_at = now(), next_match_at = NULL"
          + " FROM unnest($1::uuid[], $2::uuid[]) AS u(id, attempt_id) WHERE r.id = u.id";
  private static final String CLAIM_PENDING =
      "SELECT id, provider, provider_message_id, status, error_code FROM receipt"
          + " WHERE attempt_id IS NULL AND next_match_at <= now()"
          + " AND received_at > now() - make_interval(secs => $1)"
          + " ORDER BY next_match_at LIMIT $2 FOR UPDATE SKIP LOCKED";
  private static final String CLAIM_UNMATCHED_BY_ID =
      "SELECT r.id, r.provider, r.provider_message_id, r.status, r.error_code FROM receipt r"
          + " JOIN unnest($1::varchar[], $2::varchar[]) AS f(provider, form)"
          + " ON r.provider = f.provider AND r.provider_message_id = f.form"
          + " WHERE r.attempt_id IS NULL ORDER BY r.received_at, r.id FOR UPDATE OF r SKIP LOCKED";
  // 1 s, 2 s, 4 s ... up to 5 min between tries of a receipt whose id is still unknown.
  private static final String MATCH_LATER =
      "UPDATE receipt SET match_tries = match_tries + 1,"
          + " next_match_at = now() + make_interval(secs => LEAST(power(2, match_tries), 300))"
          + " WHERE id = ANY($1)";

  /**
   * Stores receipts as they came, each matched to the attempt at the same index of {@code
   * attemptIds} (null: not matched yet, to be tried again by {@link #claimPending}).
   */
  public Uni<Void> insertAll(SqlConnection connection, List<Stored> stored, List<UUID> attemptIds) {
    List<Receipt> receipts = stored.stream().map(Stored::receipt).toList();
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfUUID(stored.stream().map(Stored::id).toArray(UUID[]::new))
            .addArrayOfString(receipts.stream().map(Receipt::provider).toArray(String[]::new))
            .addArrayOfString(
                receipts.stream().map(Receipt::providerMessageId).toArray(String[]::new))
            .addArrayOfString(receipts.stream().map(r -> r.status().name()).toArray(String[]::new))
            .addArrayOfString(receipts.stream().map(Receipt::errorCode).toArray(String[]::new))
            .addArrayOfUUID(attemptIds.toArray(UUID[]::new));
    return connection.preparedQuery(INSERT).execute(tuple).replaceWithVoid();
  }

  /** The part each lookup names, by the lookup's index; lookups naming no part are left out. */
  public Uni<Map<Integer, Part>> findParts(SqlConnection connection, List<Lookup> lookups) {
    List<Integer> indexes = new ArrayList<>();
    List<String> providers = new ArrayList<>();
    List<String> forms = new ArrayList<>();
    List<String> given = new ArrayList<>();
    for (int i = 0; i < lookups.size(); i++) {
      Lookup lookup = lookups.get(i);
      for (String form : lookup.forms()) {
        indexes.add(i);
        providers.add(lookup.provider());
        forms.add(form);
        given.add(lookup.asGiven());
      }
    }
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfInteger(indexes.toArray(Integer[]::new))
            .addArrayOfString(providers.toArray(String[]::new))
            .addArrayOfString(forms.toArray(String[]::new))
            .addArrayOfString(given.toArray(String[]::new));
    return connection
        .preparedQuery(FIND_PARTS)
        .execute(tuple)
        .map(
            rows -> {
              Map<Integer, Part> parts = new HashMap<>();
              for (Row row : rows) {
                parts.put(
                    row.getInteger("receipt"),
                    new Part(
                        row.getUUID("attempt_id"),
                        row.getUUID("message_id"),
                        row.getString("provider_message_id")));
              }
              return parts;
            });
  }

  /**
   * Locks the messages in id order, then reads every part of the attempts, in part order per
   * attempt. Both go out at once: PostgreSQL runs the read after the lock is held, so it sees what
   * the previous holder committed.
   */
  public Uni<List<PartState>> lockAndReadParts(
      SqlConnection connection, Collection<UUID> messageIds, Collection<UUID> attemptIds) {
    Uni<Void> locked =
        connection
            .preparedQuery(LOCK_MESSAGES)
            .execute(Tuple.of(messageIds.toArray(UUID[]::new)))
            .replaceWithVoid();
    Uni<List<PartState>> parts =
        connection
            .preparedQuery(ATTEMPT_PARTS)
            .execute(Tuple.of(attemptIds.toArray(UUID[]::new)))
            .map(
                rows -> {
                  List<PartState> states = new ArrayList<>();
                  for (Row row : rows) {
                    states.add(
                        new PartState(
                            row.getUUID("attempt_id"),
                            row.getString("provider"),
                            row.getString("provider_message_id"),
                            ReceiptStatus.of(row.getString("status"))));
                  }
                  return states;
                });
    return Uni.combine().all().unis(locked, parts).with((ignored, states) -> states);
  }

  /** Sets the receipt status (and error code) of each part. */
  public Uni<Void> updateParts(SqlConnection connection, List<PartUpdate> updates) {
    if (updates.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfString(updates.stream().map(PartUpdate::provider).toArray(String[]::new))
            .addArrayOfString(
                updates.stream().map(PartUpdate::providerMessageId).toArray(String[]::new))
            .addArrayOfString(updates.stream().map(u -> u.status().name()).toArray(String[]::new))
            .addArrayOfString(updates.stream().map(PartUpdate::errorCode).toArray(String[]::new));
    return connection.preparedQuery(UPDATE_PARTS).execute(tuple).replaceWithVoid();
  }

  /** Notes which attempt each stored receipt was applied to. */
  public Uni<Void> markMatched(
      SqlConnection connection, List<UUID> receiptIds, List<UUID> attemptIds) {
    if (receiptIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(MARK_MATCHED)
        .execute(
            Tuple.tuple()
                .addArrayOfUUID(receiptIds.toArray(UUID[]::new))
                .addArrayOfUUID(attemptIds.toArray(UUID[]::new)))
        .replaceWithVoid();
  }

  /**
   * Locks up to {@code limit} unmatched receipts younger than {@code maxAgeSeconds} that are due
   * for another try; receipts another transaction holds are skipped.
   */
  public Uni<List<Stored>> claimPending(SqlConnection connection, long maxAgeSeconds, int limit) {
    return connection
        .preparedQuery(CLAIM_PENDING)
        .execute(Tuple.of((double) maxAgeSeconds, limit))
        .map(ReceiptStore::stored);
  }

  /**
   * Locks the unmatched receipts that name one of these ids (each in every form the lookup gives),
   * oldest first; receipts another transaction holds are skipped.
   */
  public Uni<List<Stored>> claimUnmatched(SqlConnection connection, List<Lookup> lookups) {
    List<String> providers = new ArrayList<>();
    List<String> forms = new ArrayList<>();
    for (Lookup lookup : lookups) {
      for (String form : lookup.forms()) {
        providers.add(lookup.provider());
        forms.add(form);
      }
    }
    return connection
        .preparedQuery(CLAIM_UNMATCHED_BY_ID)
        .execute(
            Tuple.tuple()
                .addArrayOfString(providers.toArray(String[]::new))
                .addArrayOfString(forms.toArray(String[]::new)))
        .map(ReceiptStore::stored);
  }

  private static List<Stored> stored(RowSet<Row> rows) {
    List<Stored> stored = new ArrayList<>();
    for (Row row : rows) {
      stored.add(
          new Stored(
              row.getUUID("id"),
              new Receipt(
                  row.getString("provider"),
                  row.getString("provider_message_id"),
                  ReceiptStatus.valueOf(row.getString("status")),
                  row.getString("error_code"))));
    }
    return stored;
  }

  /** Tries these unmatched receipts again later, each backing off. */
  public Uni<Void> matchLater(SqlConnection connection, List<UUID> receiptIds) {
    if (receiptIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(MATCH_LATER)
        .execute(Tuple.of(receiptIds.toArray(UUID[]::new)))
        .replaceWithVoid();
  }
}
