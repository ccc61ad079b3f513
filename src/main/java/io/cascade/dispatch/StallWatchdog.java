package io.cascade.dispatch;

import io.cascade.observability.CascadeMetrics;
import io.cascade.store.PublicationStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
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

  private final PublicationStore store;
  private final DispatchConfig config;
  private final OutboxConfig outbox;
  private final CascadeMetrics metrics;

  StallWatchdog(
      PublicationStore store, DispatchConfig config, OutboxConfig outbox, CascadeMetrics metrics) {
    this.store = store;
    this.config = config;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  @Scheduled(
      every = "${cascade.dispatch.stall-check-interval:15s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> redrive() {
    return store
        .redriveStalled(config.stallLimit(), outbox.relayBatchSize())
        .invoke(
            ids -> {
              if (!ids.isEmpty()) {
                // Worth an operator's look: a healthy broker never leaves a message this long.
                LOG.warnf(
                    "%d message(s) untouched by any dispatcher for over %s: republishing them (%s)",
                    ids.size(), config.stallLimit(), ids);
                metrics.redriven(ids.size());
              }
            })
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("stall check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }
}
