package io.cascade.tenant;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Lets at most {@code maxInFlight} key lookups use the database at once and {@code maxQueued} more
 * wait their turn; beyond, a lookup fails at once with {@link Busy}. A flood of made-up keys (each
 * new, so no cache helps) therefore holds a few of the pool's connections, never all of them, and
 * requests with cached keys are not slowed at all.
 */
final class LookupGate {

  /** Too many lookups are waiting already. */
  static final class Busy extends RuntimeException {
    Busy() {
      super("too many API key lookups at once", null, false, false);
    }
  }

  private final int maxInFlight;
  private final int maxQueued;
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private int inFlight;

  LookupGate(int maxInFlight, int maxQueued) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
  }

  /** Runs {@code lookup} when a place is free; its result arrives on the caller's context. */
  <T> Uni<T> run(Supplier<Uni<T>> lookup) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              Context caller = Vertx.currentContext();
              Runnable start =
                  () ->
                      lookup
                          .get()
                          .subscribe()
                          .with(
                              item -> {
                                release();
                                onContext(caller, () -> emitter.complete(item));
                              },
                              failure -> {
                                release();
                                onContext(caller, () -> emitter.fail(failure));
                              });
              synchronized (this) {
                if (inFlight >= maxInFlight) {
                  if (queued.size() >= maxQueued) {
                    emitter.fail(new Busy());
                  } else {
                    queued.add(() -> onContext(caller, start)); // not on the releaser's stack
                  }
                  return;
                }
                inFlight++;
              }
              start.run();
            });
  }

  synchronized int inFlight() {
    return inFlight;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = queued.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run(); // keeps the place: in flight stays the same
    }
  }

  private static void onContext(Context context, Runnable action) {
    if (context == null) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }
}
