package io.cascade.dispatch;

import io.cascade.message.Priority;
import io.cascade.store.PublicationStore.Publication;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Keeps one tenant's burst from delaying another tenant's messages of the same priority class.
 *
 * <p>A dispatch queue is first in, first out: 20,000 messages one tenant posted in a burst stand
 * before the one OTP another tenant posts next. So while a class's queue holds at least {@code
 * depthLimit} ready messages, the newly accepted messages of a tenant sending more than {@code
 * heavyRate} a second in that class (and any message of a tenant that already has some waiting) are
 * not published at once but wait here, in one lane per tenant; as the queue drains, {@link #take}
 * hands them out round robin over the lanes, so busy tenants share what the dispatchers do and a
 * light tenant's message never stands behind more than about {@code depthLimit} others.
 *
 * <p>Nothing is lost by waiting here: every message is committed with its outbox lease before it
 * gets here, and the outbox relay publishes whatever a crash or a full lane leaves unpublished when
 * that lease runs out. While a message waits, the outbox renews its lease ({@link #expiring},
 * {@link #renewed}); otherwise a burst longer than the lease would reach the relay and the queue
 * all at once, first in, first out. Accepts arrive on every event loop, so the methods synchronize.
 */
final class FairShare {

  private final int depthLimit;
  private final int heavyRate;
  private final int maxWaiting;
  private final Map<Priority, ClassState> classes = new EnumMap<>(Priority.class);

  FairShare(int depthLimit, int heavyRate, int maxWaiting) {
    this.depthLimit = depthLimit;
    this.heavyRate = heavyRate;
    this.maxWaiting = maxWaiting;
    for (Priority priority : Priority.values()) {
      classes.put(priority, new ClassState());
    }
  }

  /**
   * Whether a tenant's new message waits instead of being published at once: it does behind the
   * tenant's own waiting messages (their order is kept), and while the queue is deep if the tenant
   * sends more than the heavy rate.
   */
  static boolean waits(
      boolean tenantHasWaiting, long queueDepth, int depthLimit, int tenantRate, int heavyRate) {
    return tenantHasWaiting || (queueDepth >= depthLimit && tenantRate > heavyRate);
  }

  /**
   * Takes a just-committed message: true if it is to be published now, false if it waits here (or,
   * when {@code maxWaiting} are waiting already, is left to the outbox relay).
   */
  synchronized boolean publishNow(UUID tenantId, Publication publication, long nowMillis) {
    ClassState state = classes.get(publication.priority());
    int rate = state.rates.computeIfAbsent(tenantId, id -> new Rate()).add(nowMillis);
    ArrayDeque<Publication> lane = state.lanes.get(tenantId);
    if (!waits(lane != null, state.depth, depthLimit, rate, heavyRate)) {
      state.depth++; // counts until the next look at the queue
      return true;
    }
    if (state.waiting < maxWaiting) {
      state.lanes.computeIfAbsent(tenantId, id -> new ArrayDeque<>()).add(publication);
      state.waiting++;
    }
    return false;
  }

  /** What the broker just reported as ready in each class's queue. */
  synchronized void queueDepth(Priority priority, long ready) {
    classes.get(priority).depth = ready;
  }

  /**
   * Takes waiting messages of a class to publish, one per tenant in turn, as many as the queue has
   * room for below the depth limit (at most {@code max}).
   */
  synchronized List<Publication> take(Priority priority, int max) {
    ClassState state = classes.get(priority);
    int room = (int) Math.min(max, depthLimit - state.depth);
    List<Publication> taken = new ArrayList<>();
    while (taken.size() < room && !state.lanes.isEmpty()) {
      Iterator<ArrayDeque<Publication>> lanes = state.lanes.values().iterator();
      while (lanes.hasNext() && taken.size() < room) {
        ArrayDeque<Publication> lane = lanes.next();
        taken.add(lane.poll());
        if (lane.isEmpty()) {
          lanes.remove();
        }
      }
    }
    state.waiting -= taken.size();
    state.depth += taken.size();
    return taken;
  }

  /** The waiting messages whose outbox lease runs out before {@code before}: to renew. */
  synchronized List<Publication> expiring(Instant before) {
    List<Publication> expiring = new ArrayList<>();
    for (ClassState state : classes.values()) {
      for (ArrayDeque<Publication> lane : state.lanes.values()) {
        for (Publication publication : lane) {
          if (publication.dueAt().isBefore(before)) {
            expiring.add(publication);
          }
        }
      }
    }
    return expiring;
  }

  /**
   * Takes the answer to a renewal of {@code asked}: the renewed keep waiting with their new lease;
   * the others are no longer this replica's to publish (a relay claimed them when the lease ran
   * out), so they leave their lane. Messages taken meanwhile are not put back.
   */
  synchronized void renewed(List<Publication> asked, List<Publication> renewed) {
    Map<UUID, Publication> byId = new HashMap<>();
    asked.forEach(publication -> byId.put(publication.messageId(), null));
    renewed.forEach(publication -> byId.put(publication.messageId(), publication));
    for (ClassState state : classes.values()) {
      Iterator<ArrayDeque<Publication>> lanes = state.lanes.values().iterator();
      while (lanes.hasNext()) {
        ArrayDeque<Publication> lane = lanes.next();
        int before = lane.size();
        ArrayDeque<Publication> kept = new ArrayDeque<>(before);
        for (Publication publication : lane) {
          UUID id = publication.messageId();
          if (!byId.containsKey(id)) {
            kept.add(publication);
          } else if (byId.get(id) != null) {
            kept.add(byId.get(id));
          }
        }
        lane.clear();
        lane.addAll(kept);
        state.waiting -= before - kept.size();
        if (lane.isEmpty()) {
          lanes.remove();
        }
      }
    }
  }

  /** Messages waiting in a class. */
  synchronized int waiting(Priority priority) {
    return classes.get(priority).waiting;
  }

  /** Forgets the rates of tenants that sent nothing for a while. */
  synchronized void forgetIdle(long nowMillis) {
    for (ClassState state : classes.values()) {
      state.rates.values().removeIf(rate -> rate.of(nowMillis) == 0);
    }
  }

  private static final class ClassState {
    // Insertion-ordered so that take() visits the lanes in turn.
    final Map<UUID, ArrayDeque<Publication>> lanes = new LinkedHashMap<>();
    final Map<UUID, Rate> rates = new LinkedHashMap<>();
    long depth;
    int waiting;
  }

  /** A tenant's messages per second: the more of the previous and the current second. */
  private static final class Rate {
    long second;
    int current;
    int previous;

    /** Counts one message and returns the rate. */
    int add(long nowMillis) {
      of(nowMillis);
      current++;
      return Math.max(current, previous);
    }

    int of(long nowMillis) {
      long now = nowMillis / 1000;
      if (now != second) {
        previous = now == second + 1 ? current : 0;
        current = 0;
        second = now;
      }
      return Math.max(current, previous);
    }
  }
}
