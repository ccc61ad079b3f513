package io.cascade.dispatch;

import io.cascade.api.Timestamps;
import io.cascade.core.CascadeCore;
import io.cascade.store.MessageStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Marks messages {@code expired} whose validity passed while they waited for a dispatcher: for
 * their first attempt (e.g. during a broker outage) or for their next walk over the route (every
 * provider failing), so tenants see the truth without waiting for the queue. Messages being sent
 * are left to the dispatcher, which checks validity before every step. Each expiry records its
 * {@code message.expired} webhook event in the same transaction.
 */
@ApplicationScoped
public class ExpirySweeper {

  private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

  private final MessageStore store;
  private final CascadeCore core;
  private final AfterCommit afterCommit;
  private final OutboxConfig outbox;

  ExpirySweeper(
      MessageStore store, CascadeCore core, AfterCommit afterCommit, OutboxConfig outbox) {
    this.store = store;
    this.core = core;
    this.afterCommit = afterCommit;
    this.outbox = outbox;
  }

  @Scheduled(
      every = "${cascade.dispatch.expiry-sweep-interval:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> sweep() {
    return sweepBatch()
        .onFailure()
        .invoke(failure -> LOG.warnf("expiry sweep failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /** One batch, and the next at once while batches come back full. */
  private Uni<Void> sweepBatch() {
    int batch = outbox.relayBatchSize();
    return store
        .changeValidityPassed(batch, snapshot -> core.expire(snapshot, Timestamps.now()))
        .flatMap(
            expired -> {
              expired.forEach(afterCommit::run);
              return expired.size() < batch ? Uni.createFrom().voidItem() : sweepBatch();
            });
  }
}
