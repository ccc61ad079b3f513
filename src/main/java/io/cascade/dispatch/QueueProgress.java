package io.cascade.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far each dispatch queue has come, as this replica sees it. Every publication carries the time
 * it was published ({@link #STAMP_HEADER}), and the outbox stores that stamp with the message
 * ({@code queued_at}) when the broker confirms it. A quorum queue hands its messages out first in,
 * first out, so once a consumer has received a publication stamped {@code t}, or the broker has
 * counted the queue without a ready message at {@code t}, every message put on that queue well
 * before {@code t} has been handed to some consumer. One that no dispatcher has taken since, and
 * that this replica does not hold, was handed to no consumer that works on it: the broker holds it
 * for a consumer that is gone (RabbitMQ 3.10 after a leader election, docs/reliability.md), and the
 * {@link StallWatchdog} publishes it again within seconds instead of after the stall limit.
 *
 * <p>Stamps and looks use the wall clock: across replicas they compare as well as their clocks
 * agree, which the margin given to {@link #passedAt} covers.
 */
@ApplicationScoped
public class QueueProgress {

  /** The AMQP header with a publication's stamp, in milliseconds since the epoch. */
  public static final String STAMP_HEADER = "x-cascade-queued-at";

  private final Map<String, Progress> queues = new ConcurrentHashMap<>();

  /** A consumer of {@code queue} received a publication stamped {@code stamp}. */
  void received(String queue, long stamp) {
    Progress progress = of(queue);
    synchronized (progress) {
      progress.newestReceived = Math.max(progress.newestReceived, stamp);
    }
  }

  /** The broker counted {@code ready} messages ready on {@code queue} at {@code at}. */
  void observed(String queue, long ready, long at) {
    Progress progress = of(queue);
    synchronized (progress) {
      if (progress.firstLook == 0) {
        progress.firstLook = at;
      }
      progress.lastLook = at;
      if (ready == 0) {
        progress.lastEmpty = at;
      }
    }
  }

  /**
   * The time before which {@code queue} has handed out every message, less {@code margin}: the
   * newest stamp received or the last look at an empty queue, whichever is later; null while
   * neither happened.
   */
  Instant passedAt(String queue, Duration margin) {
    Progress progress = of(queue);
    long passed;
    synchronized (progress) {
      passed = Math.max(progress.newestReceived, progress.lastEmpty);
    }
    return passed == 0 ? null : Instant.ofEpochMilli(passed - margin.toMillis());
  }

  /**
   * Whether every look at {@code queue} during the {@code window} before {@code now} counted ready
   * messages, the latest within the last second: the queue has work a consumer with room for more
   * should be getting.
   */
  boolean readyThroughout(String queue, Duration window, long now) {
    Progress progress = of(queue);
    synchronized (progress) {
      long since = Math.max(progress.firstLook, progress.lastEmpty);
      return progress.firstLook != 0
          && now - progress.lastLook < 1_000
          && progress.lastLook > progress.lastEmpty
          && now - since >= window.toMillis();
    }
  }

  private Progress of(String queue) {
    return queues.computeIfAbsent(queue, ignored -> new Progress());
  }

  private static final class Progress {
    private long newestReceived;
    private long firstLook;
    private long lastLook;
    private long lastEmpty;
  }
}
