package io.cascade.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final UUID TENANT = UUID.randomUUID();
  private static final long DAY = 86_400_000L;
  // 12:00:00.000 UTC on some day: far from a day's end.
  private static final long NOON = 20_000 * DAY + DAY / 2;

  @Test
  void oneReplicaAdmitsTheRateAndNoMore() {
    RateLimiter limiter = new RateLimiter();
    int admitted = 0;
    for (int i = 0; i < 150; i++) {
      if (limiter.admit(TENANT, 100, null, NOON + i).admitted()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(100);
    RateLimiter.Decision refused = limiter.admit(TENANT, 100, null, NOON + 200);
    assertThat(refused.problemType()).isEqualTo("rate-limited");
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.remaining()).isZero();
  }

  @Test
  void remainingCountsDown() {
    RateLimiter limiter = new RateLimiter();
    assertThat(limiter.admit(TENANT, 10, null, NOON).remaining()).isEqualTo(9);
    assertThat(limiter.admit(TENANT, 10, null, NOON + 1).remaining()).isEqualTo(8);
  }

  @Test
  void theWindowSlides() {
    RateLimiter limiter = new RateLimiter();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.admit(TENANT, 100, null, NOON + 900 + i / 100).admitted()).isTrue();
    }
    // 250 ms into the next second, three quarters of the previous one still count: 75 of 100.
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      if (limiter.admit(TENANT, 100, null, NOON + 1_250).admitted()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(25);
  }

  @Test
  void otherReplicasCountsTakeTheirPart() {
    RateLimiter limiter = new RateLimiter();
    limiter.admit(TENANT, 100, null, NOON);
    limiter.synced(List.of(new RateLimiter.Others(TENANT, 0, 90, 1, 90)), NOON + 1, NOON + 1);
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      if (limiter.admit(TENANT, 100, null, NOON + 2).admitted()) {
        admitted++;
      }
    }
    // 100 - 90 others - 1 own = 9 left, shared with one other replica: 5 here.
    assertThat(admitted).isEqualTo(5);
  }

  @Test
  void aSyncWithoutOtherReplicasGivesTheWholeRemainder() {
    RateLimiter limiter = new RateLimiter();
    limiter.admit(TENANT, 100, null, NOON);
    limiter.synced(List.of(new RateLimiter.Others(TENANT, 0, 50, 1, 50)), NOON + 1, NOON + 1);
    limiter.synced(List.of(), NOON + 2, NOON + 2); // the other replica's counts are gone
    int admitted = 0;
    for (int i = 0; i < 200; i++) {
      if (limiter.admit(TENANT, 100, null, NOON + 3).admitted()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(99);
  }

  @Test
  void theDailyQuotaCountsEveryReplicaAndEndsAtMidnight() {
    RateLimiter limiter = new RateLimiter();
    limiter.admit(TENANT, 1_000, 10L, NOON);
    limiter.synced(List.of(new RateLimiter.Others(TENANT, 0, 0, 1, 8)), NOON + 1, NOON + 1);
    assertThat(limiter.admit(TENANT, 1_000, 10L, NOON + 2).admitted()).isTrue();
    RateLimiter.Decision over = limiter.admit(TENANT, 1_000, 10L, NOON + 3);
    assertThat(over.problemType()).isEqualTo("quota-exceeded");
    assertThat(over.limit()).isEqualTo(10);
    assertThat(over.retryAfterSeconds()).isEqualTo(DAY / 2 / 1000);
    assertThat(limiter.admit(TENANT, 1_000, 10L, NOON + DAY / 2).admitted()).isTrue();
  }

  @Test
  void tenantsAreCountedApart() {
    RateLimiter limiter = new RateLimiter();
    for (int i = 0; i < 5; i++) {
      limiter.admit(TENANT, 5, null, NOON);
    }
    assertThat(limiter.admit(TENANT, 5, null, NOON).admitted()).isFalse();
    assertThat(limiter.admit(UUID.randomUUID(), 5, null, NOON).admitted()).isTrue();
  }

  @Test
  void anIdleTenantIsForgottenOnceItsDayIsOver() {
    RateLimiter limiter = new RateLimiter();
    limiter.admit(TENANT, 5, null, NOON);
    assertThat(limiter.usage(NOON + 10_000)).hasSize(1);
    assertThat(limiter.usage(NOON + DAY)).isEmpty();
  }

  /**
   * Three replicas sharing a tenant's traffic unevenly, with bursts and a sync every 100 ms (each
   * replica at its own moment, reading what the others published at their last sync): the sliding
   * window over all replicas never holds more than 20% over the limit (measured: up to 11%, part of
   * it the two-window estimate itself), and the tenant gets at least 80% of it when it sends more
   * than it may.
   */
  @Test
  void threeReplicasTogetherStayNearTheLimit() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int perSecond = 300;
    int replicas = 3;
    List<RateLimiter> limiters = new ArrayList<>();
    List<Map<Long, Long>> published = new ArrayList<>(); // per replica: second -> count
    for (int r = 0; r < replicas; r++) {
      limiters.add(new RateLimiter());
      published.add(new HashMap<>());
    }
    long start = NOON;
    long end = NOON + 20_000;
    List<Long> admittedAt = new ArrayList<>();
    double[] weights = {0.6, 0.3, 0.1};
    for (long now = start; now < end; now++) {
      // About 2.7 times the limit offered, in bursts: 4 to 7 requests in 15% of the milliseconds.
      int requests = random.nextInt(100) < 15 ? random.nextInt(4) + 4 : 0;
      for (int i = 0; i < requests; i++) {
        double pick = random.nextDouble();
        int r = pick < weights[0] ? 0 : pick < weights[0] + weights[1] ? 1 : 2;
        if (limiters.get(r).admit(TENANT, perSecond, null, now).admitted()) {
          admittedAt.add(now);
        }
      }
      for (int r = 0; r < replicas; r++) {
        if ((now - start) % 100 == r * 33) {
          sync(r, limiters, published, now);
        }
      }
    }
    long worstWindow = 0;
    for (long from = start; from + 1_000 <= end; from += 10) {
      long f = from;
      worstWindow =
          Math.max(worstWindow, admittedAt.stream().filter(t -> t >= f && t < f + 1_000).count());
    }
    double perSecondAdmitted = admittedAt.size() / 20.0;
    System.out.printf(
        "3 replicas, limit %d/s: worst one-second window %d, %.0f/s on average (seed %d)%n",
        perSecond, worstWindow, perSecondAdmitted, seed);
    assertThat(worstWindow)
        .as("seed %d: most admitted in any one-second window", seed)
        .isLessThanOrEqualTo((long) (perSecond * 1.20));
    assertThat(perSecondAdmitted)
        .as("seed %d: admitted a second on average", seed)
        .isGreaterThanOrEqualTo(perSecond * 0.80);
  }

  private static void sync(
      int replica, List<RateLimiter> limiters, List<Map<Long, Long>> published, long now) {
    RateLimiter limiter = limiters.get(replica);
    for (RateLimiter.Usage usage : limiter.usage(now)) {
      published.get(replica).put(usage.previousSecond(), usage.previousCount());
      published.get(replica).put(usage.second(), usage.secondCount());
    }
    long second = now / 1000;
    long previous = 0;
    long current = 0;
    int others = 0;
    for (int r = 0; r < limiters.size(); r++) {
      if (r == replica) {
        continue;
      }
      long p = published.get(r).getOrDefault(second - 1, 0L);
      long c = published.get(r).getOrDefault(second, 0L);
      previous += p;
      current += c;
      others += p + c > 0 ? 1 : 0;
    }
    limiter.synced(List.of(new RateLimiter.Others(TENANT, previous, current, others, 0)), now, now);
  }
}
