package io.cascade.store;

import io.cascade.message.Priority;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The outbox's bookkeeping in {@code message.publish_due_at}: which messages are due for
 * publication, which the broker confirmed, which to try again, and which no dispatcher touched for
 * too long. Claims skip rows other transactions hold; write-backs lock their rows in id order, as
 * the {@link MessageStore} does, so they never deadlock with a batch of claims or outcomes.
 */
@ApplicationScoped
public class PublicationStore {

  /** A message published because its {@code publish_due_at} was {@code dueAt}. */
  public record Publication(UUID messageId, Instant dueAt, Priority priority) {}

  /** A publication the broker confirmed, and the time it was stamped with when published. */
  public record Queued(Publication publication, Instant stampedAt) {}

  private static final String CLAIM_DUE =
      "UPDATE message SET publish_due_at = now() + make_interval(secs => $2), queued_at = NULL"
          + " WHERE id IN (SELECT id FROM message WHERE publish_due_at <= now()"
          + " ORDER BY publish_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
          + " RETURNING id, publish_due_at, priority";
  // Both write-backs touch a row only if its publish_due_at is still the one this publication was
  // claimed with: meanwhile a dispatcher may have taken the message and scheduled its next walk
  // (WAITING) or a look at a live owner's step, which a late write-back must not wipe out.
  private static final String LOCKED =
      "WITH p AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS p(id, due)),"
          + " locked AS MATERIALIZED (SELECT m.id FROM message m JOIN p ON m.id = p.id"
          + " AND m.publish_due_at = p.due ORDER BY m.id FOR UPDATE OF m)";
  private static final String MARK_CONFIRMED =
      LOCKED
          + " UPDATE message m SET publish_due_at = NULL, queued_at = s.stamped"
          + " FROM unnest($1::uuid[], $3::timestamptz[]) AS s(id, stamped)"
          + " WHERE m.id = s.id AND m.id IN (SELECT id FROM locked)";
  private static final String RETRY_LATER =
      LOCKED
          + " UPDATE message SET publish_due_at = now() + make_interval(secs => $3)"
          + " WHERE id IN (SELECT id FROM locked)";
  private static final String RENEW =
      LOCKED
          + " UPDATE message SET publish_due_at = now() + make_interval(secs => $3)"
          + " WHERE id IN (SELECT id FROM locked) RETURNING id, publish_due_at, priority";
  private static final String REDRIVE =
      "UPDATE message SET publish_due_at = now(), queued_at = NULL"
          + " WHERE id IN (SELECT id FROM message"
          + " WHERE publish_due_at IS NULL AND status IN ('ACCEPTED', 'SENDING', 'WAITING')"
          + " AND updated_at < now() - make_interval(secs => $1)"
          + " AND (claimed_until IS NULL OR claimed_until < now())"
          + " AND tenant_id NOT IN (SELECT id FROM tenant WHERE disabled_at IS NOT NULL)"
          + " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
          + " RETURNING id";
  private static final String REDRIVE_PASSED =
      "UPDATE message SET publish_due_at = now(), queued_at = NULL"
          + " WHERE id IN (SELECT id FROM message"
          + " WHERE priority = $1 AND queued_at < $2 AND publish_due_at IS NULL"
          + " AND status IN ('ACCEPTED', 'SENDING', 'WAITING')"
          + " AND (claimed_until IS NULL OR claimed_until < now()) AND id <> ALL($3)"
          // Older ones are the stall check's: a message that fails every delivery until it is
          // dead-lettered must not come back every few seconds.
          + " AND updated_at > now() - make_interval(secs => $5)"
          + " AND tenant_id NOT IN (SELECT id FROM tenant WHERE disabled_at IS NOT NULL)"
          + " ORDER BY queued_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
          + " RETURNING id, publish_due_at, priority";
  // A live claim whose owner stopped beating: the broker redelivers its queue entry only once it
  // gives up on the owner's connection (a frozen process keeps it open), so a copy is published,
  // one at a time (none while a copy is on the queue).
  private static final String REDRIVE_SILENT_OWNERS =
      "UPDATE message SET publish_due_at = now(), queued_at = NULL"
          + " WHERE id IN (SELECT m.id FROM message m"
          + " LEFT JOIN dispatcher_instance d ON d.id = m.claimed_by"
          + " WHERE m.claimed_until > now() AND m.publish_due_at IS NULL AND m.queued_at IS NULL"
          + " AND (d.seen_at IS NULL OR d.seen_at < now() - make_interval(secs => $1))"
          + " AND m.status IN ('ACCEPTED', 'SENDING', 'WAITING')"
          + " ORDER BY m.id LIMIT $2 FOR UPDATE OF m SKIP LOCKED)"
          + " RETURNING id, publish_due_at, priority";
  // A disabled tenant's messages are held: waiting for a dispatcher, none claims or publishes them.
  private static final String RELEASE_HELD =
      "UPDATE message SET publish_due_at = now(), queued_at = NULL"
          + " WHERE tenant_id = $1 AND status IN ('ACCEPTED', 'WAITING')"
          + " AND publish_due_at IS NULL AND claimed_until IS NULL";

  private final Pool database;

  PublicationStore(Pool database) {
    this.database = database;
  }

  /** Takes up to {@code limit} overdue messages, each for {@code lease}. */
  public Uni<List<Publication>> claimDue(int limit, Duration lease) {
    return database
        .preparedQuery(CLAIM_DUE)
        .execute(Tuple.of(limit, seconds(lease)))
        .map(PublicationStore::publications);
  }

  /**
   * Keeps these publications this publisher's for another {@code lease}: the ones whose lease is
   * still the one held (not claimed by a relay meanwhile), with their new due time.
   */
  public Uni<List<Publication>> renewLeases(List<Publication> publications, Duration lease) {
    if (publications.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return database
        .preparedQuery(RENEW)
        .execute(keys(publications).addDouble(seconds(lease)))
        .map(PublicationStore::publications);
  }

  /**
   * The broker has these: nothing is due for them any more, and each is on the queue since the time
   * its publication was stamped with.
   */
  public Uni<Void> markConfirmed(List<Queued> queued) {
    if (queued.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Tuple tuple =
        keys(queued.stream().map(Queued::publication).toList())
            .addArrayOfOffsetDateTime(
                queued.stream()
                    .map(q -> q.stampedAt().atOffset(ZoneOffset.UTC))
                    .toArray(OffsetDateTime[]::new));
    return database.preparedQuery(MARK_CONFIRMED).execute(tuple).replaceWithVoid();
  }

  /** The broker did not confirm these: due again after {@code delay}. */
  public Uni<Void> retryLater(List<Publication> publications, Duration delay) {
    if (publications.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return database
        .preparedQuery(RETRY_LATER)
        .execute(keys(publications).addDouble(seconds(delay)))
        .replaceWithVoid();
  }

  /**
   * Makes up to {@code limit} messages due now that are not final, confirmed, not claimed and
   * untouched for {@code stallLimit}, of tenants not disabled (theirs are held); their ids.
   */
  public Uni<List<UUID>> redriveStalled(Duration stallLimit, int limit) {
    return database
        .preparedQuery(REDRIVE)
        .execute(Tuple.of(seconds(stallLimit), limit))
        .map(PublicationStore::ids);
  }

  /**
   * Makes up to {@code limit} messages of a class due now that its queue has passed: put on the
   * queue before {@code passedAt}, not taken by any dispatcher since, not final, not claimed, not
   * among {@code inHand} (deliveries a dispatcher of this replica holds), changed within {@code
   * recent}, of tenants not disabled; their publications, for the caller to publish.
   */
  public Uni<List<Publication>> redrivePassed(
      Priority priority, Instant passedAt, Collection<UUID> inHand, Duration recent, int limit) {
    return database
        .preparedQuery(REDRIVE_PASSED)
        .execute(
            Tuple.of(
                priority.name(),
                passedAt.atOffset(ZoneOffset.UTC),
                inHand.toArray(UUID[]::new),
                limit,
                seconds(recent)))
        .map(PublicationStore::publications);
  }

  /**
   * Makes up to {@code limit} messages due now whose step is claimed by a dispatcher silent for
   * longer than {@code silence}: the next delivery takes the step over. Their publications, for the
   * caller to publish.
   */
  public Uni<List<Publication>> redriveSilentOwners(Duration silence, int limit) {
    return database
        .preparedQuery(REDRIVE_SILENT_OWNERS)
        .execute(Tuple.of(seconds(silence), limit))
        .map(PublicationStore::publications);
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getUUID("id")));
    return ids;
  }

  private static List<Publication> publications(RowSet<Row> rows) {
    List<Publication> publications = new ArrayList<>();
    for (Row row : rows) {
      publications.add(
          new Publication(
              row.getUUID("id"),
              row.getOffsetDateTime("publish_due_at").toInstant(),
              Priority.valueOf(row.getString("priority"))));
    }
    return publications;
  }

  /**
   * Makes the held messages of a tenant due now (and, at worst, a few of its messages that are on
   * the queue already: publishing twice is harmless); how many.
   */
  public Uni<Integer> releaseHeld(UUID tenantId) {
    return database.preparedQuery(RELEASE_HELD).execute(Tuple.of(tenantId)).map(RowSet::rowCount);
  }

  /** The ids and claimed due times of {@code publications}, as two parallel arrays. */
  private static Tuple keys(List<Publication> publications) {
    return Tuple.tuple()
        .addArrayOfUUID(publications.stream().map(Publication::messageId).toArray(UUID[]::new))
        .addArrayOfOffsetDateTime(
            publications.stream()
                .map(p -> p.dueAt().atOffset(ZoneOffset.UTC))
                .toArray(OffsetDateTime[]::new));
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
