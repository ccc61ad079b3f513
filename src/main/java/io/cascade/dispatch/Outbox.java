package io.cascade.dispatch;

import io.cascade.message.MessageAccepted;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Gets every committed message onto the broker. A new message is published right after its commit;
 * whatever is not confirmed by the time its {@code publish_due_at} comes (broker down, crash before
 * the publish, nack) is claimed by the relay with {@code FOR UPDATE SKIP LOCKED}, so several
 * replicas share the work without publishing one row at the same time. Publishing twice is
 * harmless: the dispatcher deduplicates by the stored state.
 */
@ApplicationScoped
public class Outbox {

  private static final Logger LOG = Logger.getLogger(Outbox.class);

  private static final String CLAIM_DUE =
      "UPDATE message SET publish_due_at = now() + make_interval(secs => $2)"
          + " WHERE id IN (SELECT id FROM message WHERE publish_due_at <= now()"
          + " ORDER BY publish_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
          + " RETURNING id, publish_due_at";
  // Both write-backs touch a row only if its publish_due_at is still the one this publication was
  // claimed with: meanwhile a dispatcher may have taken the message and scheduled its next walk
  // (WAITING) or a look at a live owner's step, which a late write-back must not wipe out.
  private static final String MARK_CONFIRMED =
      "UPDATE message m SET publish_due_at = NULL FROM unnest($1::uuid[], $2::timestamptz[])"
          + " AS p(id, due) WHERE m.id = p.id AND m.publish_due_at = p.due";
  private static final String RETRY_LATER =
      "UPDATE message m SET publish_due_at = now() + make_interval(secs => $3)"
          + " FROM unnest($1::uuid[], $2::timestamptz[]) AS p(id, due)"
          + " WHERE m.id = p.id AND m.publish_due_at = p.due";

  private static final long WRITE_BACK_INTERVAL_MS = 50;

  private final Pool database;
  private final DispatchPublisher publisher;
  private final OutboxConfig config;
  private Vertx vertx;
  private long writeBackTimer;
  private final ConcurrentLinkedQueue<Publication> confirmed = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Publication> unconfirmed = new ConcurrentLinkedQueue<>();

  /** A message published because its {@code publish_due_at} was {@code dueAt}. */
  record Publication(UUID messageId, Instant dueAt) {}

  Outbox(Pool database, DispatchPublisher publisher, OutboxConfig config) {
    this.database = database;
    this.publisher = publisher;
    this.config = config;
  }

  /** Publishes a just-accepted message. */
  void onAccepted(@Observes MessageAccepted accepted) {
    publishCommitted(accepted.messageId(), accepted.publishDueAt());
  }

  /**
   * Publishes a message whose row was just committed with {@code publish_due_at = dueAt} (new, or
   * moved on to its next step); the relay publishes it at {@code dueAt} unless this is confirmed.
   * The broker's answer is written back in batches by {@link #writeBack}.
   */
  void publishCommitted(UUID messageId, Instant dueAt) {
    Publication publication = new Publication(messageId, dueAt);
    publisher
        .publish(publication.messageId())
        .subscribe()
        .with(ignored -> confirmed.add(publication), failure -> unconfirmed.add(publication));
  }

  /** Every 50 ms (the scheduler's floor is 1 s), write back what the broker confirmed. */
  void startWriteBack(@Observes StartupEvent startup, Vertx vertx) {
    AtomicBoolean running = new AtomicBoolean();
    this.vertx = vertx;
    writeBackTimer =
        vertx.setPeriodic(
            WRITE_BACK_INTERVAL_MS,
            ignored -> {
              if (running.compareAndSet(false, true)) {
                writeBack()
                    .subscribe()
                    .with(done -> running.set(false), failure -> running.set(false));
              }
            });
  }

  /** Stops the write-back before the container goes away (what is left, the relay redoes). */
  void stopWriteBack(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(writeBackTimer);
    }
  }

  /** Writes back the outcome of recent publications: one statement per batch, not per message. */
  Uni<Void> writeBack() {
    // A lost write-back is harmless: the row stays due and the relay publishes it again.
    return markConfirmed(drain(confirmed))
        .flatMap(ignored -> retryLater(drain(unconfirmed)))
        .onFailure()
        .recoverWithNull();
  }

  /** Publishes messages whose publication is overdue. */
  @Scheduled(
      every = "${cascade.outbox.relay-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> relay() {
    return database
        .preparedQuery(CLAIM_DUE)
        .execute(
            Tuple.tuple()
                .addInteger(config.relayBatchSize())
                .addDouble(seconds(config.publishLease().toMillis())))
        .flatMap(
            rows -> {
              List<Publication> due = new ArrayList<>();
              for (Row row : rows) {
                due.add(
                    new Publication(
                        row.getUUID("id"), row.getOffsetDateTime("publish_due_at").toInstant()));
              }
              if (due.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              LOG.infof("relay publishes %d overdue message(s)", due.size());
              return publishAll(due);
            })
        .onFailure()
        .invoke(failure -> LOG.warnf("outbox relay run failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private Uni<Void> publishAll(List<Publication> due) {
    List<Publication> ok = Collections.synchronizedList(new ArrayList<>());
    List<Publication> failed = Collections.synchronizedList(new ArrayList<>());
    List<Uni<Void>> publications =
        due.stream()
            .map(
                publication ->
                    publisher
                        .publish(publication.messageId())
                        .invoke(() -> ok.add(publication))
                        .onFailure()
                        .invoke(failure -> failed.add(publication))
                        .onFailure()
                        .recoverWithNull())
            .toList();
    return Uni.join()
        .all(publications)
        .andFailFast()
        .flatMap(ignored -> markConfirmed(ok))
        .flatMap(ignored -> retryLater(failed));
  }

  private Uni<Void> markConfirmed(List<Publication> publications) {
    if (publications.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return database.preparedQuery(MARK_CONFIRMED).execute(keys(publications)).replaceWithVoid();
  }

  private Uni<Void> retryLater(List<Publication> publications) {
    if (publications.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return database
        .preparedQuery(RETRY_LATER)
        .execute(keys(publications).addDouble(seconds(config.retryDelay().toMillis())))
        .replaceWithVoid();
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

  private static <T> List<T> drain(ConcurrentLinkedQueue<T> queue) {
    List<T> items = new ArrayList<>();
    for (T item = queue.poll(); item != null; item = queue.poll()) {
      items.add(item);
    }
    return items;
  }

  private static double seconds(long millis) {
    return millis / 1000.0;
  }
}
