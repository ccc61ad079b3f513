package io.cascade.dispatch;

import io.cascade.observability.CascadeMetrics;
import io.cascade.store.PublicationStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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

  private static final int LOGGED_IDS = 10;
  // One run's longest stretch; the next run goes on where it stopped.
  private static final Duration RUN_BUDGET = Duration.ofSeconds(10);

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
    return redriveBatches(System.nanoTime() + RUN_BUDGET.toNanos())
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("stall check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /**
   * Makes stalled messages due a batch at a time, for as long as batches come full, until {@code
   * deadlineNanos}: however many a broker fault stranded, they are all due within one run, and the
   * relay publishes them at the broker's pace.
   */
  private Uni<Void> redriveBatches(long deadlineNanos) {
    int batch = outbox.relayBatchSize();
    return store
        .redriveStalled(config.stallLimit(), batch)
        .flatMap(
            ids -> {
              if (ids.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              // Worth an operator's look: a healthy broker never leaves a message this long.
              LOG.warnf(
                  "%d message(s) untouched by any dispatcher for over %s: republishing them (%s%s)",
                  ids.size(),
                  config.stallLimit(),
                  ids.subList(0, Math.min(ids.size(), LOGGED_IDS)),
                  ids.size() > LOGGED_IDS ? " ..." : "");
              metrics.redriven(ids.size());
              return ids.size() == batch && System.nanoTime() < deadlineNanos
                  ? redriveBatches(deadlineNanos)
                  : Uni.createFrom().voidItem();
            });
  }
}
