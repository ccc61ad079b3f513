package io.cascade.limit;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The only writer of {@code rate_usage}: what each replica admitted per tenant and window. */
@ApplicationScoped
class UsageStore {

  // Absolute counts: a write repeated after a lost answer changes nothing.
  private static final String PUBLISH =
      "INSERT INTO rate_usage (tenant_id, period, window_start, replica_id, count)"
          + " SELECT t, p, w, $5, c FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[])"
          + " AS u(t, p, w, c) WHERE c > 0"
          + " ON CONFLICT (tenant_id, period, window_start, replica_id)"
          + " DO UPDATE SET count = GREATEST(rate_usage.count, excluded.count)";
  private static final String OTHERS =
      "SELECT tenant_id,"
          + " coalesce(sum(count) FILTER (WHERE period = 's' AND window_start = $3), 0) AS previous,"
          + " coalesce(sum(count) FILTER (WHERE period = 's' AND window_start = $4), 0) AS second,"
          + " count(DISTINCT replica_id) FILTER (WHERE period = 's') AS replicas,"
          + " coalesce(sum(count) FILTER (WHERE period = 'd'), 0) AS day"
          + " FROM rate_usage WHERE tenant_id = ANY($1) AND replica_id <> $2"
          + " AND ((period = 's' AND window_start IN ($3, $4)) OR (period = 'd' AND window_start = $5))"
          + " GROUP BY tenant_id";
  private static final String FORGET =
      "DELETE FROM rate_usage"
          + " WHERE (period = 's' AND window_start < $1) OR (period = 'd' AND window_start < $2)";

  private final Pool database;

  UsageStore(Pool database) {
    this.database = database;
  }

  /** Writes this replica's counts. */
  Uni<Void> publish(UUID replica, List<RateLimiter.Usage> usage) {
    int rows = usage.size() * 3;
    UUID[] tenants = new UUID[rows];
    String[] periods = new String[rows];
    Long[] windows = new Long[rows];
    Long[] counts = new Long[rows];
    int i = 0;
    for (RateLimiter.Usage one : usage) {
      for (int part = 0; part < 3; part++, i++) {
        tenants[i] = one.tenantId();
        periods[i] = part == 2 ? "d" : "s";
        windows[i] = part == 0 ? one.previousSecond() : part == 1 ? one.second() : one.day();
        counts[i] =
            part == 0 ? one.previousCount() : part == 1 ? one.secondCount() : one.dayCount();
      }
    }
    return database
        .preparedQuery(PUBLISH)
        .execute(Tuple.of(tenants, periods, windows, counts, replica))
        .replaceWithVoid();
  }

  /** The other replicas' counts for these tenants in the given seconds and day. */
  Uni<List<RateLimiter.Others>> others(
      UUID replica, List<UUID> tenants, long previousSecond, long second, long day) {
    return database
        .preparedQuery(OTHERS)
        .execute(Tuple.of(tenants.toArray(UUID[]::new), replica, previousSecond, second, day))
        .map(
            rows -> {
              List<RateLimiter.Others> others = new ArrayList<>();
              for (Row row : rows) {
                others.add(
                    new RateLimiter.Others(
                        row.getUUID("tenant_id"),
                        row.getLong("previous"),
                        row.getLong("second"),
                        row.getInteger("replicas"),
                        row.getLong("day")));
              }
              return others;
            });
  }

  /**
   * Deletes every replica's counts of seconds before {@code second} and days before {@code day}.
   */
  Uni<Void> forgetBefore(long second, long day) {
    return database.preparedQuery(FORGET).execute(Tuple.of(second, day)).replaceWithVoid();
  }
}
