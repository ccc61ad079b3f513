package io.cascade.analytics;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Delivery rate and time to deliver per channel and provider over an hour, a day or a week, for one
 * tenant or all of them. Owns the roll-up tables: {@code delivery_rollup} holds one row per hour,
 * tenant (or all tenants: a NULL tenant) and provider, {@code rollup_hour} the hours rolled and
 * when. A report adds the rolled hours of its window to the attempts of the hours not rolled yet
 * (the current one, the one before for a few minutes), so it reads a few hundred rows and at most
 * two hours of attempts however many messages the database holds.
 */
@ApplicationScoped
public class DeliveryAnalytics {

  private static final Logger LOG = Logger.getLogger(DeliveryAnalytics.class);

  /** Hours rolled per run, so that catching up on a week never holds a connection for long. */
  private static final int HOURS_PER_RUN = 12;

  // Replicas roll up in turn: whoever holds this transaction lock does, the others skip the run.
  private static final String LOCK =
      "SELECT pg_try_advisory_xact_lock(hashtext('cascade.delivery_rollup')) AS locked";

  // Per group: attempts, delivered, failed (ended without reaching the recipient), and the times
  // from accept to delivered in DeliveryTimes' buckets.
  private static final String AGGREGATES =
      "count(*) AS attempts, count(a.delivered_at) AS delivered,"
          + " count(*) FILTER (WHERE a.delivered_at IS NULL AND a.status IN ('UNDELIVERED',"
          + " 'EXPIRED', 'DELETED', 'FAILED', 'REJECTED', 'INTERRUPTED')) AS failed, "
          + DeliveryTimes.bucketCounts("a.seconds");

  // Attempts carry their message's tenant and acceptance time: no join, however many there are.
  // The time to deliver is computed once per attempt, not once per bucket.
  private static final String ATTEMPTS =
      " FROM (SELECT *, extract(epoch FROM delivered_at - accepted_at)::float8 AS seconds"
          + " FROM attempt"
          + " WHERE started_at >= $1 AND started_at < $2) a";

  private static final String ROLL_UP =
      "INSERT INTO delivery_rollup (hour, tenant_id, channel, provider, attempts, delivered,"
          + " failed, deliver_seconds) SELECT $1, tenant_id, lower(channel), provider, attempts,"
          + " delivered, failed, ARRAY["
          + bucketColumns()
          + "] FROM (SELECT a.tenant_id, a.channel, a.provider, "
          + AGGREGATES
          + ATTEMPTS
          + " GROUP BY GROUPING SETS ((a.tenant_id, a.channel, a.provider), (a.channel, a.provider))"
          + ") t";

  // The attempts not rolled up yet: one row per hour, provider and bucket (width_bucket numbers
  // the buckets as DeliveryTimes does; NULL when not delivered), so each attempt is placed once
  // instead of tested against every bucket.
  private static final String RAW_ALL =
      "SELECT date_trunc('hour', a.started_at) AS hour, lower(a.channel) AS channel, a.provider,"
          + " width_bucket(a.seconds, "
          + DeliveryTimes.boundsArray()
          + ") AS bucket, count(*) AS attempts, count(a.delivered_at) AS delivered,"
          + " count(*) FILTER (WHERE a.delivered_at IS NULL AND a.status IN ('UNDELIVERED',"
          + " 'EXPIRED', 'DELETED', 'FAILED', 'REJECTED', 'INTERRUPTED')) AS failed"
          + ATTEMPTS
          + " GROUP BY 1, 2, 3, 4";

  private static final String RAW_TENANT =
      RAW_ALL.replace(" GROUP BY 1, 2, 3, 4", " WHERE a.tenant_id = $3 GROUP BY 1, 2, 3, 4");

  private static final String ROLLED =
      "SELECT hour, channel, provider, attempts, delivered, failed, "
          + bucketSums()
          + " FROM delivery_rollup WHERE hour >= $1 AND hour < $2";

  private static final String ROLLED_ALL = ROLLED + " AND tenant_id IS NULL";

  private static final String ROLLED_TENANT = ROLLED + " AND tenant_id = $3";

  // The first hour of the window that has not been rolled up; from there on attempts are read.
  private static final String FIRST_NOT_ROLLED =
      "SELECT min(h) AS hour FROM generate_series($1::timestamptz, $2::timestamptz,"
          + " interval '1 hour') h WHERE NOT EXISTS (SELECT 1 FROM rollup_hour r WHERE r.hour = h)";

  private final Pool database;

  DeliveryAnalytics(Pool database) {
    this.database = database;
  }

  /** The report for one tenant's attempts. */
  public Uni<DeliveryReport> forTenant(UUID tenantId, Window window) {
    return report(window, tenantId);
  }

  /** The report over every tenant's attempts. */
  public Uni<DeliveryReport> forAll(Window window) {
    return report(window, null);
  }

  private Uni<DeliveryReport> report(Window window, UUID tenantId) {
    Instant now = Instant.now();
    Instant from = window.start(now);
    Instant currentHour = now.truncatedTo(ChronoUnit.HOURS);
    Uni<Instant> rolledUntil =
        window == Window.HOUR
            ? Uni.createFrom().item(from)
            : database
                .preparedQuery(FIRST_NOT_ROLLED)
                .execute(Tuple.of(utc(from), utc(currentHour)))
                .map(rows -> instant(rows.iterator().next(), "hour", currentHour));
    return rolledUntil.flatMap(
        until ->
            Uni.combine()
                .all()
                .unis(rolled(from, until, tenantId), attempts(until, now, tenantId))
                .with(
                    (rolled, raw) -> {
                      List<Tally> tallies = new ArrayList<>(rolled);
                      tallies.addAll(raw);
                      return DeliveryReport.of(window, from, now, until, tallies);
                    }));
  }

  private Uni<List<Tally>> rolled(Instant from, Instant until, UUID tenantId) {
    if (!until.isAfter(from)) {
      return Uni.createFrom().item(List.of());
    }
    // Rolled rows hold every bucket's count in columns b0, b1, ...
    return tallies(
        tenantId == null ? ROLLED_ALL : ROLLED_TENANT,
        from,
        until,
        tenantId,
        row -> DeliveryTimes.of(DeliveryTimes.countsFrom(row::getLong)));
  }

  private Uni<List<Tally>> attempts(Instant from, Instant until, UUID tenantId) {
    // Raw rows are one bucket each (NULL: not delivered), holding that row's deliveries.
    return tallies(
        tenantId == null ? RAW_ALL : RAW_TENANT,
        from,
        until,
        tenantId,
        row -> {
          Integer bucket = row.getInteger("bucket");
          return bucket == null
              ? DeliveryTimes.none()
              : DeliveryTimes.single(bucket, row.getLong("delivered"));
        });
  }

  /** Runs a report query over [from, until), for one tenant or all, a tally per row. */
  private Uni<List<Tally>> tallies(
      String sql, Instant from, Instant until, UUID tenantId, Function<Row, DeliveryTimes> times) {
    Tuple args = Tuple.of(utc(from), utc(until));
    if (tenantId != null) {
      args.addUUID(tenantId);
    }
    return database
        .preparedQuery(sql)
        .execute(args)
        .map(
            rows -> {
              List<Tally> tallies = new ArrayList<>();
              for (Row row : rows) {
                tallies.add(
                    new Tally(
                        row.getOffsetDateTime("hour").toInstant(),
                        row.getString("channel"),
                        row.getString("provider"),
                        row.getLong("attempts"),
                        row.getLong("delivered"),
                        row.getLong("failed"),
                        times.apply(row)));
              }
              return tallies;
            });
  }

  @Scheduled(
      every = "${cascade.analytics.rollup-interval:1m}",
      delayed = "${cascade.analytics.rollup-delay:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> rollUpDue() {
    return rollUpDue(Instant.now())
        .invoke(
            hours -> {
              if (hours > 0) {
                LOG.debugf("rolled up %d hours of attempts", hours);
              }
            })
        .onFailure()
        .invoke(failure -> LOG.warnf("delivery roll-up skipped: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  /** Rolls up the hours due at {@code now}; answers how many it rolled. */
  public Uni<Integer> rollUpDue(Instant now) {
    return database
        .preparedQuery("SELECT hour, rolled_at FROM rollup_hour WHERE hour >= $1")
        .execute(Tuple.of(utc(RollupSchedule.firstHour(now))))
        .map(
            rows -> {
              Map<Instant, Instant> rolledAt = new HashMap<>();
              for (Row row : rows) {
                rolledAt.put(
                    row.getOffsetDateTime("hour").toInstant(),
                    row.getOffsetDateTime("rolled_at").toInstant());
              }
              return RollupSchedule.due(now, rolledAt, HOURS_PER_RUN);
            })
        .flatMap(
            hours ->
                Multi.createFrom()
                    .iterable(hours)
                    .onItem()
                    .transformToUniAndConcatenate(hour -> rollUp(hour, now))
                    .collect()
                    .asList()
                    .map(rolled -> (int) rolled.stream().filter(Boolean::booleanValue).count()));
  }

  /**
   * Replaces the roll-up of one hour with what its attempts say at {@code now}; false when another
   * replica is rolling up at the same time.
   */
  public Uni<Boolean> rollUp(Instant hour, Instant now) {
    return database.withTransaction(
        connection ->
            connection
                .query(LOCK)
                .execute()
                .flatMap(
                    lock ->
                        lock.iterator().next().getBoolean("locked")
                            ? replace(connection, hour, now).replaceWith(true)
                            : Uni.createFrom().item(false)));
  }

  private static Uni<Void> replace(SqlConnection connection, Instant hour, Instant now) {
    OffsetDateTime start = utc(hour);
    OffsetDateTime end = utc(hour.plus(Duration.ofHours(1)));
    return connection
        .preparedQuery("DELETE FROM delivery_rollup WHERE hour = $1")
        .execute(Tuple.of(start))
        .flatMap(ignored -> connection.preparedQuery(ROLL_UP).execute(Tuple.of(start, end)))
        .flatMap(
            ignored ->
                connection
                    .preparedQuery(
                        "INSERT INTO rollup_hour (hour, rolled_at) VALUES ($1, $2)"
                            + " ON CONFLICT (hour) DO UPDATE SET rolled_at = EXCLUDED.rolled_at")
                    .execute(Tuple.of(start, utc(now))))
        .replaceWithVoid();
  }

  private static String bucketColumns() {
    StringBuilder columns = new StringBuilder();
    for (int i = 0; i < DeliveryTimes.BUCKETS; i++) {
      columns.append(i == 0 ? "" : ", ").append("b").append(i);
    }
    return columns.toString();
  }

  private static String bucketSums() {
    StringBuilder sums = new StringBuilder();
    for (int i = 0; i < DeliveryTimes.BUCKETS; i++) {
      sums.append(i == 0 ? "" : ", ")
          .append("deliver_seconds[")
          .append(i + 1)
          .append("] AS b")
          .append(i);
    }
    return sums.toString();
  }

  private static Instant instant(Row row, String column, Instant otherwise) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? otherwise : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
