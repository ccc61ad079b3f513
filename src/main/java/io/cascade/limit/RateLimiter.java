package io.cascade.limit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides, with no I/O, whether a tenant's request is admitted, from this replica's own counts and
 * the other replicas' counts as of the last sync ({@link #synced}).
 *
 * <p>Rate: a sliding one-second window, estimated from two fixed ones (the previous second weighted
 * by the part of it still inside the window, plus the current second). Between two syncs a replica
 * admits at most its share of what remained at the last one: the remainder divided by the replicas
 * that admitted the tenant's requests in those two seconds, itself included. So replicas that
 * receive a burst at the same moment cannot each spend the whole remainder. Daily quota: every
 * replica's count of the UTC day as of the last sync, plus this replica's own.
 *
 * <p>Not thread-safe: the caller serializes calls.
 */
final class RateLimiter {

  private static final long DAY_MILLIS = 86_400_000L;

  /** What one request is told. {@code problemType} is null when it is admitted. */
  record Decision(
      boolean admitted,
      String problemType,
      long limit,
      long remaining,
      long resetSeconds,
      long retryAfterSeconds) {}

  /** This replica's counts for one tenant, to publish: the previous and current second, the day. */
  record Usage(
      UUID tenantId,
      long previousSecond,
      long previousCount,
      long second,
      long secondCount,
      long day,
      long dayCount) {}

  /**
   * The other replicas' counts for one tenant in the windows asked for, and how many of them
   * admitted its requests in the two seconds.
   */
  record Others(UUID tenantId, long previousCount, long secondCount, int replicas, long dayCount) {}

  private static final class Tenant {
    long second = Long.MIN_VALUE;
    long own;
    long ownPrevious;
    long others;
    long othersPrevious;
    int otherReplicas;
    long shareSecond = Long.MIN_VALUE;
    long shareLeft;
    long day = Long.MIN_VALUE;
    long ownDay;
    long othersDay;
    long perSecond;
  }

  private final Map<UUID, Tenant> tenants = new HashMap<>();

  /** Admits one request of the tenant at {@code nowMillis} (epoch), or says why not. */
  Decision admit(UUID tenantId, long perSecond, Long dailyQuota, long nowMillis) {
    Tenant tenant = tenants.computeIfAbsent(tenantId, id -> new Tenant());
    roll(tenant, nowMillis);
    tenant.perSecond = perSecond;
    double used = estimate(tenant, nowMillis);
    if (tenant.shareSecond != tenant.second) {
      tenant.shareSecond = tenant.second;
      tenant.shareLeft = share(perSecond - used, tenant.otherReplicas);
    }
    if (used + 1 > perSecond || tenant.shareLeft <= 0) {
      return new Decision(false, "rate-limited", perSecond, 0, 1, 1);
    }
    if (dailyQuota != null && tenant.ownDay + tenant.othersDay >= dailyQuota) {
      long untilTomorrow = secondsUntilNextDay(nowMillis);
      return new Decision(false, "quota-exceeded", dailyQuota, 0, untilTomorrow, untilTomorrow);
    }
    tenant.own++;
    tenant.ownDay++;
    tenant.shareLeft--;
    return new Decision(true, null, perSecond, (long) Math.floor(perSecond - used - 1), 1, 0);
  }

  /** What to publish, for every tenant seen; tenants idle for a day are forgotten. */
  List<Usage> usage(long nowMillis) {
    List<Usage> usage = new ArrayList<>();
    long today = Math.floorDiv(nowMillis, DAY_MILLIS);
    tenants.values().removeIf(tenant -> tenant.day < today && tenant.second < nowMillis / 1000 - 2);
    tenants.forEach(
        (id, tenant) -> {
          roll(tenant, nowMillis);
          usage.add(
              new Usage(
                  id,
                  tenant.second - 1,
                  tenant.ownPrevious,
                  tenant.second,
                  tenant.own,
                  tenant.day,
                  tenant.ownDay));
        });
    return usage;
  }

  /**
   * The other replicas' counts in the windows of {@code usage(readAtMillis)}, read at {@code
   * readAtMillis}; the shares are dealt again from them at {@code nowMillis}.
   */
  void synced(List<Others> others, long readAtMillis, long nowMillis) {
    long readSecond = readAtMillis / 1000;
    long readDay = Math.floorDiv(readAtMillis, DAY_MILLIS);
    // A tenant the read found no other replica's count for has none.
    for (Tenant tenant : tenants.values()) {
      roll(tenant, nowMillis);
      tenant.otherReplicas = 0;
      if (tenant.second == readSecond) {
        tenant.others = 0;
        tenant.othersPrevious = 0;
      } else if (tenant.second == readSecond + 1) {
        tenant.othersPrevious = 0;
      }
      if (tenant.day == readDay) {
        tenant.othersDay = 0;
      }
    }
    for (Others seen : others) {
      Tenant tenant = tenants.get(seen.tenantId());
      if (tenant == null) {
        continue;
      }
      if (tenant.second == readSecond) {
        tenant.othersPrevious = seen.previousCount();
        tenant.others = seen.secondCount();
      } else if (tenant.second == readSecond + 1) {
        tenant.othersPrevious = seen.secondCount(); // a second began since the read
      }
      tenant.otherReplicas = seen.replicas();
      if (tenant.day == readDay) {
        tenant.othersDay = seen.dayCount();
      }
    }
    for (Tenant tenant : tenants.values()) {
      tenant.shareSecond = tenant.second;
      tenant.shareLeft =
          share(tenant.perSecond - estimate(tenant, nowMillis), tenant.otherReplicas);
    }
  }

  /** The tenants this replica holds counts for. */
  List<UUID> tenants() {
    return List.copyOf(tenants.keySet());
  }

  private static long share(double remaining, int otherReplicas) {
    return remaining < 1 ? 0 : (long) Math.ceil(remaining / (otherReplicas + 1));
  }

  private static double estimate(Tenant tenant, long nowMillis) {
    double previousWeight = 1 - (nowMillis % 1000) / 1000.0;
    return (tenant.ownPrevious + tenant.othersPrevious) * previousWeight
        + tenant.own
        + tenant.others;
  }

  /** Moves the tenant's windows to the ones {@code nowMillis} is in. */
  private static void roll(Tenant tenant, long nowMillis) {
    long second = nowMillis / 1000;
    if (second != tenant.second) {
      boolean next = second == tenant.second + 1;
      tenant.ownPrevious = next ? tenant.own : 0;
      tenant.othersPrevious = next ? tenant.others : 0;
      tenant.own = 0;
      tenant.others = 0;
      tenant.second = second;
    }
    long day = Math.floorDiv(nowMillis, DAY_MILLIS);
    if (day != tenant.day) {
      tenant.day = day;
      tenant.ownDay = 0;
      tenant.othersDay = 0;
    }
  }

  private static long secondsUntilNextDay(long nowMillis) {
    long next = (Math.floorDiv(nowMillis, DAY_MILLIS) + 1) * DAY_MILLIS;
    return Math.max(1, (next - nowMillis + 999) / 1000);
  }
}
