package io.cascade.store;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

  /** A receipt, the id of its row and when it was stored (null: not stored yet, i.e. now). */
  public record Stored(UUID id, Receipt receipt, Instant receivedAt) {}

  /**
   * How to find the parts a receipt may name: its provider, the forms of the id it names, and when
   * it was received (null: now).
   */
  public record Lookup(String provider, Set<String> forms, Instant receivedAt) {}

  /**
   * A part a receipt may name: its attempt and that attempt's message, the id and session it was
   * registered with, when, and its receipt status.
   */
  public record Candidate(
      UUID attemptId,
      UUID messageId,
      int part,
      String providerMessageId,
      String session,
      Instant registeredAt,
      ReceiptStatus status) {}

  /** One stored part of an attempt and its receipt status. */
  public record PartState(UUID attemptId, int part, ReceiptStatus status) {}

  /** A part's new receipt status and the error code that came with it. */
  public record PartUpdate(UUID attemptId, int part, ReceiptStatus status, String errorCode) {}

  private static final String INSERT =
      "INSERT INTO receipt (id, provider, session, provider_message_id, status, error_code,"
          + " received_at, attempt_id, matched_at, next_match_at)"
          + " SELECT r.id, r.provider, r.session, r.provider_message_id, r.status, r.error_code,"
          + " now(), r.attempt_id, CASE WHEN r.attempt_id IS NULL THEN NULL ELSE now() END,"
          + " CASE WHEN r.attempt_id IS NULL THEN now() END"
          + " FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],"
          + " $6::varchar[], $7::uuid[])"
          + " AS r(id, provider, session, provider_message_id, status, error_code, attempt_id)";
  // Every part registered under one of a receipt's forms from $5 seconds before the receipt to $6
  // seconds after it (a receipt may overtake the registration, never by much).
  private static final String FIND_CANDIDATES =
      "SELECT f.receipt, p.attempt_id, a.message_id, p.part, p.provider_message_id, p.session,"
          + " p.registered_at, p.status"
          + " FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::timestamptz[])"
          + " AS f(receipt, provider, form, received)"
          + " JOIN provider_message p ON p.provider = f.provider AND p.provider_message_id = f.form"
          + " AND p.registered_at > coalesce(f.received, now()) - make_interval(secs => $5)"
          + " AND p.registered_at <= coalesce(f.received, now()) + make_interval(secs => $6)"
          + " JOIN attempt a ON a.id = p.attempt_id";
  private static final String LOCK_MESSAGES =
      "SELECT id FROM message WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  private static final String ATTEMPT_PARTS =
      "SELECT attempt_id, part, status FROM provider_message"
          + " WHERE attempt_id = ANY($1) ORDER BY attempt_id, part";
  private static final String UPDATE_PARTS =
      "UPDATE provider_message p SET status = u.status, error_code = u.error_code,"
          + " updated_at = now() FROM unnest($1::uuid[], $2::int[], $3::varchar[],"
          + " $4::varchar[]) AS u(attempt_id, part, status, error_code)"
          + " WHERE p.attempt_id = u.attempt_id AND p.part = u.part";
  private static final String MARK_MATCHED =
      "UPDATE receipt r SET attempt_id = u.attempt_id, matched_at = now(), next_match_at = NULL"
          + " FROM unnest($1::uuid[], $2::uuid[]) AS u(id, attempt_id) WHERE r.id = u.id";
  private static final String CLAIM_PENDING =
      "SELECT id, provider, session, provider_message_id, status, error_code, received_at"
          + " FROM receipt WHERE attempt_id IS NULL AND next_match_at <= now()"
          + " AND received_at > now() - make_interval(secs => $1)"
          + " ORDER BY next_match_at LIMIT $2 FOR UPDATE SKIP LOCKED";
  private static final String CLAIM_UNMATCHED_BY_ID =
      "SELECT r.id, r.provider, r.session, r.provider_message_id, r.status, r.error_code,"
          + " r.received_at FROM receipt r"
          + " JOIN unnest($1::varchar[], $2::varchar[]) AS f(provider, form)"
          + " ON r.provider = f.provider AND r.provider_message_id = f.form"
          + " WHERE r.attempt_id IS NULL AND r.received_at > now() - make_interval(secs => $3)"
          + " ORDER BY r.received_at, r.id FOR UPDATE OF r SKIP LOCKED";
  // 1 s, 2 s, 4 s ... between tries of a receipt whose id is still unknown.
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
            .addArrayOfString(receipts.stream().map(Receipt::session).toArray(String[]::new))
            .addArrayOfString(
                receipts.stream().map(Receipt::providerMessageId).toArray(String[]::new))
            .addArrayOfString(receipts.stream().map(r -> r.status().name()).toArray(String[]::new))
            .addArrayOfString(receipts.stream().map(Receipt::errorCode).toArray(String[]::new))
            .addArrayOfUUID(attemptIds.toArray(UUID[]::new));
    return connection.preparedQuery(INSERT).execute(tuple).replaceWithVoid();
  }

  /**
   * The parts each lookup may name, by the lookup's index: registered under one of its forms from
   * {@code before} until {@code after} the receipt was received. Lookups naming none are left out.
   */
  public Uni<Map<Integer, List<Candidate>>> findCandidates(
      SqlConnection connection, List<Lookup> lookups, Duration before, Duration after) {
    List<Integer> indexes = new ArrayList<>();
    List<String> providers = new ArrayList<>();
    List<String> forms = new ArrayList<>();
    List<OffsetDateTime> received = new ArrayList<>();
    for (int i = 0; i < lookups.size(); i++) {
      Lookup lookup = lookups.get(i);
      for (String form : lookup.forms()) {
        indexes.add(i);
        providers.add(lookup.provider());
        forms.add(form);
        received.add(
            lookup.receivedAt() == null
                ? null
                : OffsetDateTime.ofInstant(lookup.receivedAt(), ZoneOffset.UTC));
      }
    }
    Tuple tuple =
        Tuple.tuple()
            .addArrayOfInteger(indexes.toArray(Integer[]::new))
            .addArrayOfString(providers.toArray(String[]::new))
            .addArrayOfString(forms.toArray(String[]::new))
            .addArrayOfOffsetDateTime(received.toArray(OffsetDateTime[]::new))
            .addDouble(before.toMillis() / 1000.0)
            .addDouble(after.toMillis() / 1000.0);
    return connection
        .preparedQuery(FIND_CANDIDATES)
        .execute(tuple)
        .map(
            rows -> {
              Map<Integer, List<Candidate>> candidates = new HashMap<>();
              for (Row row : rows) {
                candidates
                    .computeIfAbsent(row.getInteger("receipt"), i -> new ArrayList<>())
                    .add(
                        new Candidate(
                            row.getUUID("attempt_id"),
                            row.getUUID("message_id"),
                            row.getInteger("part"),
                            row.getString("provider_message_id"),
                            row.getString("session"),
                            row.getOffsetDateTime("registered_at").toInstant(),
                            ReceiptStatus.of(row.getString("status"))));
              }
              return candidates;
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
                            row.getInteger("part"),
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
            .addArrayOfUUID(updates.stream().map(PartUpdate::attemptId).toArray(UUID[]::new))
            .addArrayOfInteger(updates.stream().map(PartUpdate::part).toArray(Integer[]::new))
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
   * Locks up to {@code limit} unmatched receipts younger than {@code maxAge} that are due for
   * another try; receipts another transaction holds are skipped.
   */
  public Uni<List<Stored>> claimPending(SqlConnection connection, Duration maxAge, int limit) {
    return connection
        .preparedQuery(CLAIM_PENDING)
        .execute(Tuple.of(maxAge.toMillis() / 1000.0, limit))
        .map(ReceiptStore::stored);
  }

  /**
   * Locks the unmatched receipts received within {@code recent} that name one of these ids (each in
   * every form the lookup gives), oldest first; receipts another transaction holds are skipped.
   */
  public Uni<List<Stored>> claimUnmatched(
      SqlConnection connection, List<Lookup> lookups, Duration recent) {
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
                .addArrayOfString(forms.toArray(String[]::new))
                .addDouble(recent.toMillis() / 1000.0))
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
                  row.getString("error_code"),
                  row.getString("session")),
              row.getOffsetDateTime("received_at").toInstant()));
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
