package io.cascade.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollupScheduleTest {

  private static final Instant HOUR = Instant.parse("2026-12-08T10:00:00Z");
  private static final Instant END = HOUR.plus(Duration.ofHours(1));

  @Test
  void anHourIsNotRolledWhileItLastsNorInTheMinutesAfter() {
    assertFalse(RollupSchedule.isDue(HOUR, null, HOUR.plusSeconds(1800)));
    assertFalse(RollupSchedule.isDue(HOUR, null, END.plusSeconds(299)));
    assertTrue(RollupSchedule.isDue(HOUR, null, END.plusSeconds(300)));
  }

  @Test
  void anHourIsRolledAgainForLateReceiptsAndOnceMoreWhenNothingCanChange() {
    Instant first = END.plusSeconds(310);
    assertFalse(RollupSchedule.isDue(HOUR, first, END.plusSeconds(1800)));
    assertTrue(RollupSchedule.isDue(HOUR, first, END.plus(Duration.ofHours(1))));
    Instant second = END.plus(Duration.ofMinutes(61));
    assertFalse(RollupSchedule.isDue(HOUR, second, END.plus(Duration.ofHours(48))));
    assertTrue(RollupSchedule.isDue(HOUR, second, END.plus(Duration.ofHours(49))));
    Instant last = END.plus(Duration.ofHours(50));
    assertFalse(RollupSchedule.isDue(HOUR, last, END.plus(Duration.ofDays(7))));
  }

  @Test
  void aServiceThatWasDownRollsEveryMissedHourOnce() {
    Instant now = HOUR.plus(Duration.ofMinutes(30));
    Instant lastRun = now.minus(Duration.ofMinutes(1));
    // Up for a month but down the last 2 hours: the hours it missed are due, newest first.
    Map<Instant, Instant> rolled = new HashMap<>();
    for (Instant h = RollupSchedule.firstHour(now);
        h.isBefore(HOUR.minus(Duration.ofHours(2)));
        h = h.plus(Duration.ofHours(1))) {
      rolled.put(h, lastRun);
    }
    assertEquals(
        List.of(HOUR.minus(Duration.ofHours(1)), HOUR.minus(Duration.ofHours(2))),
        RollupSchedule.due(now, rolled, 10));
  }

  @Test
  void aFreshDatabaseCatchesUpNewestFirstAFewHoursARun() {
    Instant now = HOUR.plus(Duration.ofMinutes(30));
    List<Instant> due = RollupSchedule.due(now, Map.of(), 3);
    assertEquals(
        List.of(
            HOUR.minus(Duration.ofHours(1)),
            HOUR.minus(Duration.ofHours(2)),
            HOUR.minus(Duration.ofHours(3))),
        due);
    assertEquals(
        RollupSchedule.HORIZON.toHours(),
        RollupSchedule.due(now, Map.of(), 1000).size(),
        "every hour of the horizon but the current one");
  }
}
