package io.cascade.dispatch;

import io.cascade.message.Priority;
import io.cascade.observability.CascadeMetrics;
import io.cascade.store.PublicationStore;
import io.cascade.store.PublicationStore.Publication;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.jboss.logging.Logger;

/**
 * Puts back on the queue messages that the broker confirmed but no dispatcher took. The stored
 * state is the truth and the queue only a wake-up call, so a queue entry lost or held by a broker
 * fault (or dead-lettered after too many deliveries) delays a message but never strands it.
 * Republishing is harmless: the dispatcher deduplicates by the stored state.
 *
 * <p>Every second it republishes the messages still on a queue that the queue has passed ({@link
 * QueueProgress}: it handed out later ones, or counted itself empty, more than the margin after
 * them), which finds entries a broker fault left with no consumer, and the messages whose step is
 * claimed by a dispatcher that stopped beating (a frozen process: the broker keeps its deliveries
 * until it gives up on its connection), so that a live one takes the step over. Every stall check
 * interval, for whatever those cannot see, it republishes every message not final, with no
 * publication pending and no live claim, that no dispatcher touched for longer than the stall
 * limit.
 */
@ApplicationScoped
public class StallWatchdog {

  private static final Logger LOG = Logger.getLogger(StallWatchdog.class);

  private static final int LOGGED_IDS = 10;
  // One run's longest stretch; the next run goes on where it stopped.
  private static final Duration RUN_BUDGET = Duration.ofSeconds(10);

  private final PublicationStore store;
  private final DispatchConfig config;
  private final OutboxConfig outboxConfig;
  private final CascadeMetrics metrics;
  private final QueueProgress progress;
  private final QuorumQueueConnector consumers;
  private final BrokerConfig broker;
  private final Outbox outbox;
  private final DispatcherInstance instance;

  StallWatchdog(
      PublicationStore store,
      DispatchConfig config,
      OutboxConfig outboxConfig,
      CascadeMetrics metrics,
      QueueProgress progress,
      @Connector(QuorumQueueConnector.NAME) QuorumQueueConnector consumers,
      BrokerConfig broker,
      Outbox outbox,
      DispatcherInstance instance) {
    this.store = store;
    this.config = config;
    this.outboxConfig = outboxConfig;
    this.metrics = metrics;
    this.progress = progress;
    this.consumers = consumers;
    this.broker = broker;
    this.outbox = outbox;
    this.instance = instance;
  }

  @Scheduled(
      every = "${cascade.dispatch.passed-check-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> redriveHeld() {
    Set<UUID> inHand = consumers.messagesInHand();
    Uni<Void> run = Uni.createFrom().voidItem();
    for (Priority priority : Priority.values()) {
      Instant passedAt = progress.passedAt(broker.queueOf(priority), config.passedMargin());
      if (passedAt != null) {
        run =
            run.flatMap(
                ignored ->
                    store
                        .redrivePassed(
                            priority,
                            passedAt,
                            inHand,
                            config.stallLimit(),
                            outboxConfig.relayBatchSize())
                        .invoke(
                            passed ->
                                republish(
                                    passed,
                                    "passed",
                                    "passed on their queue by later ones and taken by no"
                                        + " dispatcher: the broker holds them for no consumer"))
                        .replaceWithVoid());
      }
    }
    run =
        run.flatMap(
            ignored ->
                store
                    .redriveSilentOwners(instance.silenceLimit(), outboxConfig.relayBatchSize())
                    .invoke(
                        claimed ->
                            republish(
                                claimed,
                                "silent_owner",
                                "claimed by a dispatcher silent for over "
                                    + instance.silenceLimit()
                                    + ", so that a live one takes their steps over"))
                    .replaceWithVoid());
    return run.onFailure()
        .invoke(failure -> LOG.warnf("queue progress check failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /**
   * Publishes at once, rather than at the relay's next run (these have waited long enough), and
   * says so: worth an operator's look, a healthy broker and replica leave none.
   */
  private void republish(List<Publication> held, String reason, String what) {
    if (held.isEmpty()) {
      return;
    }
    List<UUID> ids = held.stream().map(Publication::messageId).toList();
    LOG.warnf(
        "%d message(s) %s; republishing them (%s%s)",
        ids.size(),
        what,
        ids.subList(0, Math.min(ids.size(), LOGGED_IDS)),
        ids.size() > LOGGED_IDS ? " ..." : "");
    metrics.redriven(ids.size(), reason);
    held.forEach(p -> outbox.publishCommitted(p.messageId(), p.dueAt(), p.priority()));
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
    int batch = outboxConfig.relayBatchSize();
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
              metrics.redriven(ids.size(), "stalled");
              return ids.size() == batch && System.nanoTime() < deadlineNanos
                  ? redriveBatches(deadlineNanos)
                  : Uni.createFrom().voidItem();
            });
  }
}
