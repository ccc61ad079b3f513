package io.cascade.dispatch;

import io.cascade.observability.CascadeMetrics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Puts back on the queue messages that the broker confirmed but no dispatcher has touched for
 * longer than the stall limit: not yet final, no publication pending, no live claim. The stored
 * state is the truth and the queue only a wake-up call, so a queue entry lost or held by a broker
 * fault (or dead-lettered after too many deliveries) delays a message but never strands it.
 * Republishing is harmless: the dispatcher deduplicates by the stored state.
 */
@ApplicationScoped
public class StallWatchdog {

  private static final Logger LOG = Logger.getLogger(StallWatchdog.class);

  private static final String REDRIVE =
      "UPDATE message SET publish_due_at = now()"
          + " WHERE id IN (SELECT id FROM message"
          + " WHERE publish_due_at IS NULL AND status IN ('ACCEPTED', 'SENDING', 'WAITING')"
          + " AND updated_at < now() - make_interval(secs => $1)"
          + " AND (claimed_until IS NULL OR claimed_until < now())"
          + " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
          + " RETURNING id";

  private final Pool database;
  private final DispatchConfig config;
  private final OutboxConfig outbox;
  private final CascadeMetrics metrics;

  StallWatchdog(Pool database, DispatchConfig config, OutboxConfig outbox, CascadeMetrics metrics) {
    this.database = database;
    this.config = config;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  @Scheduled(
      every = "${cascade.dispatch.stall-check-interval:15s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> redrive() {
    return database
        .preparedQuery(REDRIVE)
        .execute(Tuple.of(config.stallLimit().toMillis() / 1000.0, outbox.relayBatchSize()))
        .invoke(
            rows -> {
              if (rows.rowCount() > 0) {
                // Worth an operator's look: a healthy broker never leaves a message this long.
                List<UUID> ids = new ArrayList<>();
                rows.forEach(row -> ids.add(row.getUUID("id")));
                LOG.warnf(
                    "%d message(s) untouched by any dispatcher for over %s: republishing them (%s)",
                    rows.rowCount(), config.stallLimit(), ids);
                metrics.redriven(rows.rowCount());
              }
            })
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("stall check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }
}
