package io.cascade.store;

import io.cascade.api.DatabaseFailures;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs concurrent requests in shared transactions: whatever arrives while {@code maxInFlight}
 * batches are running waits and goes into the next batch, up to {@code maxBatch} requests. An idle
 * commit starts at once, so a lone request waits for nobody; under load each transaction carries
 * many requests and the per-transaction cost (round trips, commit, fsync) is shared. Each request
 * completes only when its batch committed, on the Vert.x context it was submitted from.
 *
 * <p>A batch that fails for any reason but an unreachable database is run again one request at a
 * time, so one bad request fails alone.
 *
 * <p>With a {@code maxWait}, a request that could not join a batch within it fails with {@link
 * Overloaded} and is never run: when the database falls behind, the caller answers at once that
 * nothing was done instead of letting every later request wait longer than its client.
 *
 * @param <I> a request
 * @param <O> its result
 */
public final class GroupCommit<I, O> {

  private final Function<List<I>, Uni<List<O>>> commit;
  private final int maxBatch;
  private final int maxInFlight;
  private final Queue<Pending<I, O>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Vertx vertx;
  private final long maxWaitMillis;

  /** The request waited longer than its limit for a transaction and was not run. */
  public static final class Overloaded extends RuntimeException {
    Overloaded(Duration waited) {
      super("waited " + waited.toMillis() + " ms for a transaction, not run", null, false, false);
    }
  }

  /**
   * @param commit runs one batch in one transaction; its results are in the order of its requests
   */
  public GroupCommit(Function<List<I>, Uni<List<O>>> commit, int maxBatch, int maxInFlight) {
    this(commit, maxBatch, maxInFlight, null, null);
  }

  /**
   * @param vertx sets the timers of {@code maxWait}
   * @param maxWait how long a request may wait to join a batch; {@code null}: as long as it takes
   */
  public GroupCommit(
      Function<List<I>, Uni<List<O>>> commit,
      int maxBatch,
      int maxInFlight,
      Vertx vertx,
      Duration maxWait) {
    this.commit = commit;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.vertx = vertx;
    this.maxWaitMillis = maxWait == null ? 0 : Math.max(1, maxWait.toMillis());
  }

  /**
   * Completes with the request's result once the transaction holding it committed, or fails with
   * {@link Overloaded} if it waited longer than the limit to join one.
   */
  public Uni<O> submit(I request) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              Pending<I, O> pending = new Pending<>(request, emitter, Vertx.currentContext());
              if (maxWaitMillis > 0) {
                pending.timer =
                    vertx.setTimer(
                        maxWaitMillis,
                        ignored -> {
                          // Taken here, it can no longer join a batch, so it is safe to say it
                          // was not run. It stays in the queue until a drain skips it.
                          if (pending.take()) {
                            pending.fail(new Overloaded(Duration.ofMillis(maxWaitMillis)));
                          }
                        });
              }
              queue.add(pending);
              drain();
            });
  }

  private void drain() {
    while (!queue.isEmpty()) {
      int running = inFlight.get();
      if (running >= maxInFlight) {
        return; // the batch that ends next drains again
      }
      if (!inFlight.compareAndSet(running, running + 1)) {
        continue;
      }
      List<Pending<I, O>> batch = new ArrayList<>();
      while (batch.size() < maxBatch) {
        Pending<I, O> next = queue.poll();
        if (next == null) {
          break;
        }
        if (next.take()) {
          if (next.timer >= 0) {
            vertx.cancelTimer(next.timer);
          }
          batch.add(next);
        }
      }
      if (batch.isEmpty()) {
        inFlight.decrementAndGet();
        continue;
      }
      run(batch).subscribe().with(ignored -> batchEnded(), failure -> batchEnded());
    }
  }

  private void batchEnded() {
    inFlight.decrementAndGet();
    drain();
  }

  /** Runs the batch and settles every request of it. */
  private Uni<Void> run(List<Pending<I, O>> batch) {
    List<I> requests = batch.stream().map(Pending::request).toList();
    return Uni.createFrom()
        .deferred(() -> commit.apply(requests))
        .onItemOrFailure()
        .transformToUni(
            (results, failure) -> {
              if (failure == null && results.size() == batch.size()) {
                for (int i = 0; i < batch.size(); i++) {
                  batch.get(i).complete(results.get(i));
                }
                return Uni.createFrom().voidItem();
              }
              Throwable cause =
                  failure != null
                      ? failure
                      : new IllegalStateException(
                          results.size() + " results for a batch of " + batch.size());
              if (batch.size() == 1 || DatabaseFailures.isUnavailable(cause)) {
                batch.forEach(p -> p.fail(cause));
                return Uni.createFrom().voidItem();
              }
              // Isolate the request that broke the batch: each one on its own.
              Uni<Void> alone = Uni.createFrom().voidItem();
              for (Pending<I, O> pending : batch) {
                alone = alone.flatMap(ignored -> run(List.of(pending)));
              }
              return alone;
            });
  }

  private static final class Pending<I, O> {
    private final I request;
    private final UniEmitter<? super O> emitter;
    private final Context context;
    private final AtomicBoolean taken = new AtomicBoolean();
    private volatile long timer = -1;

    Pending(I request, UniEmitter<? super O> emitter, Context context) {
      this.request = request;
      this.emitter = emitter;
      this.context = context;
    }

    I request() {
      return request;
    }

    /** Takes the request out of waiting, for a batch or for its time-out: only one wins. */
    boolean take() {
      return taken.compareAndSet(false, true);
    }

    void complete(O result) {
      onContext(() -> emitter.complete(result));
    }

    void fail(Throwable failure) {
      onContext(() -> emitter.fail(failure));
    }

    private void onContext(Runnable action) {
      if (context == null || Vertx.currentContext() == context) {
        action.run();
      } else {
        context.runOnContext(ignored -> action.run());
      }
    }
  }
}
