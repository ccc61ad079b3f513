package io.cascade.dispatch;

import io.cascade.message.MessageStatus;
import io.cascade.observability.CascadeMetrics;
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
 * are left to the dispatcher, which checks validity before every step.
 */
@ApplicationScoped
public class ExpirySweeper {

  private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

  private static final String EXPIRE_WAITING =
      "UPDATE message SET status = 'EXPIRED', updated_at = now(), publish_due_at = NULL,"
          + " version = version + 1"
          + " WHERE status IN ('ACCEPTED', 'WAITING') AND valid_until <= now() RETURNING created_at";

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
