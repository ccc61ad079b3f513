package io.cascade.dispatch;

import io.cascade.channel.FailoverReason;
import io.cascade.message.AttemptStatus;
import io.cascade.message.StepsConfig;
import io.cascade.message.WaitFor;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Starts the next route step of messages whose step waited for a receipt past its deadline ({@code
 * message.step_due_at}). Due messages are claimed with {@code FOR UPDATE SKIP LOCKED} in the
 * transaction that moves them on, so a deadline fires once however many replicas look, and since
 * the deadline is a row it survives restarts. A receipt being applied holds the message's lock, so
 * the timer skips it and looks again on the next tick, when the step may have succeeded. It ticks
 * on a Vert.x timer ({@code cascade.steps.check-interval}, 250 ms by default) rather than
 * {@code @Scheduled}, whose 1 s floor would make every timeout up to a second late.
 */
@ApplicationScoped
public class StepTimer {

  private static final Logger LOG = Logger.getLogger(StepTimer.class);

  private static final String DUE =
      "SELECT m.id, m.step_wait_for, a.status AS attempt_status"
          + " FROM message m LEFT JOIN attempt a ON a.id = m.step_attempt_id"
          + " WHERE m.step_due_at <= now() ORDER BY m.step_due_at LIMIT $1"
          + " FOR UPDATE OF m SKIP LOCKED";

  private final Pool database;
  private final StepFailover failover;
  private final OutboxConfig outbox;
  private final StepsConfig steps;
  private Vertx vertx;
  private long timer;

  StepTimer(Pool database, StepFailover failover, OutboxConfig outbox, StepsConfig steps) {
    this.database = database;
    this.failover = failover;
    this.outbox = outbox;
    this.steps = steps;
  }

  void start(@Observes StartupEvent startup, Vertx vertx) {
    this.vertx = vertx;
    AtomicBoolean running = new AtomicBoolean();
    timer =
        vertx.setPeriodic(
            steps.checkInterval().toMillis(),
            ignored -> {
              // One check at a time per replica: a slow one is not overtaken by the next tick.
              if (running.compareAndSet(false, true)) {
                fire().subscribe().with(done -> running.set(false), failure -> running.set(false));
              }
            });
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** Moves on every step whose deadline passed, up to a batch. */
  Uni<Void> fire() {
    return database
        .withTransaction(
            connection ->
                connection
                    .preparedQuery(DUE)
                    .execute(Tuple.of(outbox.relayBatchSize()))
                    .flatMap(
                        rows -> {
                          // One after the other: a connection runs one query at a time anyway.
                          List<StepFailover.Moved> moved = new ArrayList<>();
                          Uni<Void> done = Uni.createFrom().voidItem();
                          for (Row row : rows) {
                            UUID messageId = row.getUUID("id");
                            FailoverReason reason = reason(row);
                            String note =
                                reason == FailoverReason.NOT_READ_IN_TIME
                                    ? reason.id()
                                        + ": delivered but not read by the step's deadline"
                                    : reason.id() + ": no receipt by the step's deadline";
                            done =
                                done.flatMap(
                                    ignored ->
                                        failover
                                            .moveOn(connection, messageId, reason, note)
                                            .invoke(result -> result.ifPresent(moved::add))
                                            .replaceWithVoid());
                          }
                          return done.replaceWith(moved);
                        }))
        .invoke(failover::committed)
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("step deadline check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /** Why the step ended: read was required and only delivery came, or no receipt came at all. */
  private static FailoverReason reason(Row row) {
    boolean readRequired = WaitFor.READ.name().equals(row.getString("step_wait_for"));
    boolean delivered = AttemptStatus.DELIVERED.name().equals(row.getString("attempt_status"));
    return readRequired && delivered
        ? FailoverReason.NOT_READ_IN_TIME
        : FailoverReason.NO_RECEIPT_IN_TIME;
  }
}
