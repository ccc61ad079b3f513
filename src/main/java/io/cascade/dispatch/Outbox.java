package io.cascade.dispatch;

import io.cascade.message.MessageAccepted;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
          + " RETURNING id";
  private static final String MARK_CONFIRMED =
      "UPDATE message SET publish_due_at = NULL WHERE id = ANY($1)";
  private static final String RETRY_LATER =
      "UPDATE message SET publish_due_at = now() + make_interval(secs => $2) WHERE id = ANY($1)";

  private static final long WRITE_BACK_INTERVAL_MS = 50;

  private final Pool database;
  private final DispatchPublisher publisher;
  private final OutboxConfig config;
  private final ConcurrentLinkedQueue<UUID> confirmed = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<UUID> unconfirmed = new ConcurrentLinkedQueue<>();

  Outbox(Pool database, DispatchPublisher publisher, OutboxConfig config) {
    this.database = database;
    this.publisher = publisher;
    this.config = config;
  }

  /**
   * Publishes a just-committed message; its outcome is written back in batches by {@link
   * #writeBack}.
   */
  void onAccepted(@Observes MessageAccepted accepted) {
    UUID id = accepted.messageId();
    publisher
        .publish(id)
        .subscribe()
        .with(ignored -> confirmed.add(id), failure -> unconfirmed.add(id));
  }

  /** Every 50 ms (the scheduler's floor is 1 s), write back what the broker confirmed. */
  void startWriteBack(@Observes StartupEvent startup, Vertx vertx) {
    AtomicBoolean running = new AtomicBoolean();
    vertx.setPeriodic(
        WRITE_BACK_INTERVAL_MS,
        ignored -> {
          if (running.compareAndSet(false, true)) {
            writeBack().subscribe().with(done -> running.set(false), failure -> running.set(false));
          }
        });
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
              List<UUID> due = new ArrayList<>();
              for (Row row : rows) {
                due.add(row.getUUID("id"));
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

  private Uni<Void> publishAll(List<UUID> ids) {
    List<UUID> ok = Collections.synchronizedList(new ArrayList<>());
    List<UUID> failed = Collections.synchronizedList(new ArrayList<>());
    List<Uni<Void>> publications =
        ids.stream()
            .map(
                id ->
                    publisher
                        .publish(id)
                        .invoke(() -> ok.add(id))
                        .onFailure()
                        .invoke(failure -> failed.add(id))
                        .onFailure()
                        .recoverWithNull())
            .toList();
    return Uni.join()
        .all(publications)
        .andFailFast()
        .flatMap(ignored -> markConfirmed(ok))
        .flatMap(ignored -> retryLater(failed));
  }

  private Uni<Void> markConfirmed(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return database
        .preparedQuery(MARK_CONFIRMED)
        .execute(Tuple.tuple().addArrayOfUUID(ids.toArray(UUID[]::new)))
        .replaceWithVoid();
  }

  private Uni<Void> retryLater(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return database
        .preparedQuery(RETRY_LATER)
        .execute(
            Tuple.tuple()
                .addArrayOfUUID(ids.toArray(UUID[]::new))
                .addDouble(seconds(config.retryDelay().toMillis())))
        .replaceWithVoid();
  }

  private static List<UUID> drain(ConcurrentLinkedQueue<UUID> queue) {
    List<UUID> ids = new ArrayList<>();
    for (UUID id = queue.poll(); id != null; id = queue.poll()) {
      ids.add(id);
    }
    return ids;
  }

  private static double seconds(long millis) {
    return millis / 1000.0;
  }
}
