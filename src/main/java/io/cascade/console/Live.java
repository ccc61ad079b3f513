package io.cascade.console;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** The console's live streams: figures pushed every few seconds while the session lasts. */
final class Live {

  /** How often a stream sends the figures again. */
  static final Duration EVERY = Duration.ofSeconds(2);

  private Live() {}

  /**
   * Sends {@code figures} every {@link #EVERY}, one at a time (a slow query skips ticks, it does
   * not pile them up). The session is looked up before each send, so a sign-out on any replica, or
   * its expiry, ends the stream.
   */
  static <T> Multi<T> whileSignedIn(
      ConsoleSessions sessions, String token, Supplier<Uni<T>> figures) {
    return Multi.createFrom()
        .ticks()
        .every(EVERY)
        .onOverflow()
        .drop()
        .onItem()
        .transformToUniAndConcatenate(tick -> sessions.find(token).map(Optional::ofNullable))
        .select()
        .first(Optional::isPresent)
        .onItem()
        .transformToUniAndConcatenate(signedIn -> figures.get());
  }
}
