package io.cascade.dispatch;

import io.cascade.message.MessageAccepted;
import io.cascade.message.Priority;
import io.cascade.store.PublicationStore;
import io.cascade.store.PublicationStore.Publication;
import io.cascade.store.PublicationStore.Queued;
import io.cascade.tenant.TenantEnabled;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
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

  private static final long WRITE_BACK_INTERVAL_MS = 50;
  // One relay run's longest stretch; the next run, an interval later, goes on where it stopped.
  private static final Duration RELAY_RUN_BUDGET = Duration.ofSeconds(10);
  private static final long FAIR_SHARE_INTERVAL_MS = 50;
  private static final int RENEW_BATCH = 2_000;
  private static final Map<Priority, Long> UNKNOWN_DEPTHS =
      Arrays.stream(Priority.values()).collect(Collectors.toMap(p -> p, p -> 0L));

  private final PublicationStore store;
  private final DispatchPublisher publisher;
  private final OutboxConfig config;
  private Vertx vertx;
  private long writeBackTimer;
  private long fairShareTimer;
  private long renewTimer;
  private final FairShare fairShare;
  private final ConcurrentLinkedQueue<Queued> confirmed = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Publication> unconfirmed = new ConcurrentLinkedQueue<>();

  Outbox(PublicationStore store, DispatchPublisher publisher, OutboxConfig config) {
    this.store = store;
    this.publisher = publisher;
    this.config = config;
    this.fairShare =
        new FairShare(
            config.fairShareQueueDepth(),
            config.fairShareTenantRate(),
            config.fairShareMaxWaiting());
  }

  /**
   * A disabled tenant is enabled again: its held messages become due, so the relay publishes them
   * within a second (should this fail, the stall watchdog finds them).
   */
  void onTenantEnabled(@Observes TenantEnabled enabled) {
    store
        .releaseHeld(enabled.tenantId())
        .subscribe()
        .with(
            released ->
                LOG.infof(
                    "tenant %s enabled: %d held message(s) released", enabled.tenantId(), released),
            failure ->
                LOG.warnf(
                    "releasing held messages of tenant %s failed: %s",
                    enabled.tenantId(), failure));
  }

  /** Publishes a just-accepted message, unless its tenant's burst makes it wait its turn. */
  void onAccepted(@Observes MessageAccepted accepted) {
    Publication publication =
        new Publication(accepted.messageId(), accepted.publishDueAt(), accepted.priority());
    if (fairShare.publishNow(accepted.tenantId(), publication, System.currentTimeMillis())) {
      publishCommitted(publication);
    }
  }

  /**
   * Publishes a message whose row was just committed with {@code publish_due_at = dueAt} (new, or
   * moved on to its next step); the relay publishes it at {@code dueAt} unless this is confirmed.
   * The broker's answer is written back in batches by {@link #writeBack}.
   */
  void publishCommitted(UUID messageId, Instant dueAt, Priority priority) {
    publishCommitted(new Publication(messageId, dueAt, priority));
  }

  private void publishCommitted(Publication publication) {
    publisher
        .publish(publication.messageId(), publication.priority())
        .subscribe()
        .with(
            stamp -> confirmed.add(new Queued(publication, stamp)),
            failure -> unconfirmed.add(publication));
  }

  /** Every 50 ms (the scheduler's floor is 1 s), write back what the broker confirmed. */
  void startWriteBack(@Observes StartupEvent startup, Vertx vertx) {
    AtomicBoolean running = new AtomicBoolean();
    this.vertx = vertx;
    writeBackTimer =
        vertx.setPeriodic(
            WRITE_BACK_INTERVAL_MS,
            ignored -> {
              if (running.compareAndSet(false, true)) {
                writeBack()
                    .subscribe()
                    .with(done -> running.set(false), failure -> running.set(false));
              }
            });
  }

  /**
   * Every 50 ms, asks the broker how deep each class's queue is and publishes the messages waiting
   * for their turn that fit below the fair-share depth.
   */
  void startFairShare(@Observes StartupEvent startup, Vertx vertx, MeterRegistry registry) {
    for (Priority priority : Priority.values()) {
      Gauge.builder("cascade.fair.share.waiting", fairShare, share -> share.waiting(priority))
          .description("Accepted messages waiting for their tenant's turn to be published")
          .tag("priority", priority.id())
          .register(registry);
    }
    AtomicBoolean running = new AtomicBoolean();
    fairShareTimer =
        vertx.setPeriodic(
            FAIR_SHARE_INTERVAL_MS,
            ignored -> {
              if (running.compareAndSet(false, true)) {
                publisher
                    .readyCounts()
                    .onFailure()
                    .recoverWithItem(
                        UNKNOWN_DEPTHS) // no broker connection: nobody waits on a guess
                    .subscribe()
                    .with(
                        ready -> {
                          ready.forEach(fairShare::queueDepth);
                          publishWaiting();
                          running.set(false);
                        },
                        failure -> running.set(false));
              }
            });
  }

  /**
   * Renews, a quarter lease at a time, the outbox lease of the messages waiting their turn whose
   * lease would run out within half of one: they stay this replica's to publish, and reach the
   * relay only if it stops.
   */
  void startLeaseRenewal(@Observes StartupEvent startup, Vertx vertx) {
    AtomicBoolean running = new AtomicBoolean();
    renewTimer =
        vertx.setPeriodic(
            Math.max(100, config.publishLease().toMillis() / 4),
            ignored -> {
              if (running.compareAndSet(false, true)) {
                renewWaiting()
                    .subscribe()
                    .with(done -> running.set(false), failure -> running.set(false));
              }
            });
  }

  Uni<Void> renewWaiting() {
    Duration lease = config.publishLease();
    List<Publication> expiring = fairShare.expiring(Instant.now().plus(lease.dividedBy(2)));
    Uni<Void> renewal = Uni.createFrom().voidItem();
    for (int from = 0; from < expiring.size(); from += RENEW_BATCH) {
      List<Publication> batch =
          expiring.subList(from, Math.min(expiring.size(), from + RENEW_BATCH));
      renewal =
          renewal
              .flatMap(ignored -> store.renewLeases(batch, lease))
              .invoke(renewed -> fairShare.renewed(batch, renewed))
              .replaceWithVoid();
    }
    // Not renewed in time, they are published by the relay: twice at worst, never lost.
    return renewal
        .onFailure()
        .invoke(failure -> LOG.warnf("renewing waiting messages' leases failed: %s", failure))
        .onFailure()
        .recoverWithNull();
  }

  private void publishWaiting() {
    for (Priority priority : Priority.values()) {
      fairShare.take(priority, config.relayBatchSize()).forEach(this::publishCommitted);
    }
    fairShare.forgetIdle(System.currentTimeMillis());
  }

  /** Stops the timers before the container goes away (what is left, the relay redoes). */
  void stopWriteBack(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(writeBackTimer);
      vertx.cancelTimer(fairShareTimer);
      vertx.cancelTimer(renewTimer);
    }
  }

  /** Writes back the outcome of recent publications: one statement per batch, not per message. */
  Uni<Void> writeBack() {
    // A lost write-back is harmless: the row stays due and the relay publishes it again.
    return store
        .markConfirmed(drain(confirmed))
        .flatMap(ignored -> store.retryLater(drain(unconfirmed), config.retryDelay()))
        .onFailure()
        .recoverWithNull();
  }

  /** Publishes messages whose publication is overdue. */
  @Scheduled(
      every = "${cascade.outbox.relay-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> relay() {
    // Messages waiting for their turn have their lease renewed, so they come here only when the
    // replica holding them stopped (or could not reach the database to renew).
    return relayBatches(System.nanoTime() + RELAY_RUN_BUDGET.toNanos())
        .onFailure()
        .invoke(failure -> LOG.warnf("outbox relay run failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /**
   * Publishes due messages a batch at a time for as long as batches come full and the broker
   * confirms them, until {@code deadlineNanos}: a backlog (a broker outage's accepts, the stall
   * watchdog's redrive) drains at the broker's pace, not one batch per interval.
   */
  private Uni<Void> relayBatches(long deadlineNanos) {
    return store
        .claimDue(config.relayBatchSize(), config.publishLease())
        .flatMap(
            due -> {
              if (due.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              LOG.infof("relay publishes %d overdue message(s)", due.size());
              return publishAll(due)
                  .flatMap(
                      allConfirmed ->
                          allConfirmed
                                  && due.size() == config.relayBatchSize()
                                  && System.nanoTime() < deadlineNanos
                              ? relayBatches(deadlineNanos)
                              : Uni.createFrom().voidItem());
            });
  }

  /** Publishes and writes back the broker's answers; whether it confirmed every one. */
  private Uni<Boolean> publishAll(List<Publication> due) {
    List<Queued> ok = Collections.synchronizedList(new ArrayList<>());
    List<Publication> failed = Collections.synchronizedList(new ArrayList<>());
    List<Uni<Instant>> publications =
        due.stream()
            .map(
                publication ->
                    publisher
                        .publish(publication.messageId(), publication.priority())
                        .invoke(stamp -> ok.add(new Queued(publication, stamp)))
                        .onFailure()
                        .invoke(failure -> failed.add(publication))
                        .onFailure()
                        .recoverWithNull())
            .toList();
    return Uni.join()
        .all(publications)
        .andFailFast()
        .flatMap(ignored -> store.markConfirmed(ok))
        .flatMap(ignored -> store.retryLater(failed, config.retryDelay()))
        .map(ignored -> failed.isEmpty());
  }

  private static <T> List<T> drain(ConcurrentLinkedQueue<T> queue) {
    List<T> items = new ArrayList<>();
    for (T item = queue.poll(); item != null; item = queue.poll()) {
      items.add(item);
    }
    return items;
  }
}
