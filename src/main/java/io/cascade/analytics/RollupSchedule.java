package io.cascade.analytics;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which hours of attempts to roll up now: pure decisions, no I/O.
 *
 * <p>An hour's attempts keep changing after it ends: receipts arrive, a message waits out its
 * validity. So an hour is rolled three times, each time replacing its rows: {@link #SETTLE} after
 * it ends (attempts committed late are in), an hour after it ends (most receipts are in), and once
 * no message of it can still change, {@link #FINAL} after it ends (the longest validity, 48 h, and
 * the hour itself). Newest hours come first, so that a service that was down catches up on what the
 * console shows first.
 */
public final class RollupSchedule {

  /** The wait after an hour ends before it is first rolled up. */
  static final Duration SETTLE = Duration.ofMinutes(5);

  /** The second roll-up, with the receipts of the following hour. */
  static final Duration RECEIPTS = Duration.ofHours(1);

  /** The last roll-up: no attempt of the hour can change after it. */
  static final Duration FINAL = Duration.ofHours(49);

  /** How far back hours are rolled: the longest window the console shows, and a day to spare. */
  public static final Duration HORIZON = Duration.ofDays(8);

  private RollupSchedule() {}

  /**
   * The hours due, newest first, at most {@code limit}.
   *
   * @param rolledAt when each hour within the horizon was last rolled up; hours not in it never
   *     were
   */
  public static List<Instant> due(Instant now, Map<Instant, Instant> rolledAt, int limit) {
    List<Instant> due = new ArrayList<>();
    Instant oldest = firstHour(now);
    for (Instant hour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        !hour.isBefore(oldest) && due.size() < limit;
        hour = hour.minus(Duration.ofHours(1))) {
      if (isDue(hour, rolledAt.get(hour), now)) {
        due.add(hour);
      }
    }
    return due;
  }

  /** The oldest hour the roll-up keeps up to date. */
  public static Instant firstHour(Instant now) {
    return now.minus(HORIZON).truncatedTo(ChronoUnit.HOURS);
  }

  static boolean isDue(Instant hour, Instant rolledAt, Instant now) {
    Instant end = hour.plus(Duration.ofHours(1));
    for (Duration after : List.of(FINAL, RECEIPTS, SETTLE)) {
      Instant time = end.plus(after);
      if (!now.isBefore(time)) {
        return rolledAt == null || rolledAt.isBefore(time);
      }
    }
    return false;
  }
}
