package io.cascade.dispatch;

import io.cascade.api.Timestamps;
import io.cascade.core.CascadeCore;
import io.cascade.message.StepsConfig;
import io.cascade.store.MessageStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

  private final MessageStore store;
  private final CascadeCore core;
  private final AfterCommit afterCommit;
  private final OutboxConfig outbox;
  private final StepsConfig steps;
  private Vertx vertx;
  private long timer;

  StepTimer(
      MessageStore store,
      CascadeCore core,
      AfterCommit afterCommit,
      OutboxConfig outbox,
      StepsConfig steps) {
    this.store = store;
    this.core = core;
    this.afterCommit = afterCommit;
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
    return store
        .changeDeadlinesDue(
            outbox.relayBatchSize(), snapshot -> core.deadline(snapshot, Timestamps.now()))
        .invoke(moved -> moved.forEach(afterCommit::run))
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("step deadline check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }
}
