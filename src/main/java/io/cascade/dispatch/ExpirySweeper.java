package io.cascade.dispatch;

import io.cascade.message.MessageStatus;
import io.cascade.observability.CascadeMetrics;
import io.cascade.webhook.WebhookEvents;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Marks messages {@code expired} whose validity passed while they waited for a dispatcher: for
 * their first attempt (e.g. during a broker outage) or for their next walk over the route (every
 * provider failing), so tenants see the truth without waiting for the queue. Messages being sent
 * are left to the dispatcher, which checks validity before every step. Each expiry records its
 * {@code message.expired} webhook event in the same statement.
 */
@ApplicationScoped
public class ExpirySweeper {

  private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

  // One statement: the webhook events of the expired messages are inserted from the rows the
  // UPDATE returns, so they commit (or not) with the status change.
  private static final String EXPIRE_WAITING =
      "WITH m AS (UPDATE message SET status = 'EXPIRED', updated_at = now(),"
          + " publish_due_at = NULL, version = version + 1, event_sequence = event_sequence + 1"
          + " WHERE status IN ('ACCEPTED', 'WAITING') AND valid_until <= now()"
          + " RETURNING id, tenant_id, reference, callback_url, event_sequence, created_at),"
          + " events AS ("
          + WebhookEvents.insertFor(
              "'" + WebhookEvents.Type.EXPIRED.id() + "'", "'{\"status\": \"expired\"}'")
          + ") SELECT created_at FROM m";

  private final Pool database;
  private final CascadeMetrics metrics;

  ExpirySweeper(Pool database, CascadeMetrics metrics) {
    this.database = database;
    this.metrics = metrics;
  }

  @Scheduled(
      every = "${cascade.dispatch.expiry-sweep-interval:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> sweep() {
    return database
        .query(EXPIRE_WAITING)
        .execute()
        .invoke(
            rows -> {
              for (Row row : rows) {
                metrics.finalStatus(
                    MessageStatus.EXPIRED.id(), row.getOffsetDateTime("created_at").toInstant());
              }
            })
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("expiry sweep failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }
}
