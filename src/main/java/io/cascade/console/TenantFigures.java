package io.cascade.console;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's delivery figures over the last hour, read (never written) from the message tables.
 * Message ids are UUIDv7, so "accepted since" is a range of the {@code (tenant_id, id)} index.
 */
@ApplicationScoped
public class TenantFigures {

  /** The window the figures cover. */
  static final Duration WINDOW = Duration.ofHours(1);

  // Messages accepted up to a day before the window still end (deliver, fail, expire) inside it.
  private static final Duration LOOK_BACK = WINDOW.plus(Duration.ofDays(1));

  private static final String RECENT =
      "WITH recent AS (SELECT id, status, created_at, updated_at FROM message"
          + " WHERE tenant_id = $1 AND id >= $2) ";

  private static final String PER_MINUTE =
      RECENT
          + "SELECT minute, kind, count(*) AS n FROM ("
          + " SELECT date_trunc('minute', created_at) AS minute, 'accepted' AS kind FROM recent"
          + "  WHERE created_at >= $3"
          + " UNION ALL SELECT date_trunc('minute', updated_at), lower(status) FROM recent"
          + "  WHERE status IN ('FAILED', 'EXPIRED') AND updated_at >= $3"
          + " UNION ALL SELECT date_trunc('minute', min(a.delivered_at)), 'delivered'"
          + "  FROM attempt a JOIN recent m ON a.message_id = m.id"
          + "  WHERE a.delivered_at IS NOT NULL GROUP BY a.message_id"
          + "  HAVING min(a.delivered_at) >= $3"
          + ") e GROUP BY minute, kind";

  private static final String PER_PROVIDER =
      RECENT
          + "SELECT lower(a.channel) AS channel, a.provider, count(*) AS attempts,"
          + " count(a.delivered_at) AS delivered,"
          + " percentile_cont(0.5) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM a.delivered_at - m.created_at)) AS p50,"
          + " percentile_cont(0.95) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM a.delivered_at - m.created_at)) AS p95"
          + " FROM attempt a JOIN recent m ON a.message_id = m.id"
          + " WHERE a.started_at >= $3 GROUP BY 1, 2 ORDER BY 1, 2";

  private static final String FAILOVERS =
      RECENT
          + "SELECT lower(a.channel) AS channel, lower(a.reason) AS reason, count(*) AS n"
          + " FROM attempt a JOIN recent m ON a.message_id = m.id"
          + " WHERE a.reason IS NOT NULL AND a.started_at >= $3 GROUP BY 1, 2 ORDER BY 3 DESC";

  private static final String DOUBLE_DELIVERIES =
      RECENT
          + "SELECT count(*) AS n FROM (SELECT a.message_id FROM attempt a"
          + " JOIN recent m ON a.message_id = m.id WHERE a.delivered_at >= $3"
          + " GROUP BY a.message_id HAVING count(*) > 1) d";

  private static final String WEBHOOKS =
      "SELECT count(*) FILTER (WHERE state = 'PENDING') AS pending,"
          + " count(*) FILTER (WHERE state = 'PENDING' AND attempts > 0) AS retrying,"
          + " count(*) FILTER (WHERE state = 'FAILED' AND created_at >= $2) AS failed,"
          + " min(created_at) FILTER (WHERE state = 'PENDING') AS oldest_pending"
          + " FROM webhook_event WHERE tenant_id = $1 AND (state = 'PENDING' OR created_at >= $2)";

  private static final String WEBHOOK_ERRORS =
      "SELECT last_error, count(*) AS n, max(created_at) AS last_at FROM webhook_event"
          + " WHERE tenant_id = $1 AND created_at >= $2 AND last_error IS NOT NULL"
          + " GROUP BY last_error ORDER BY last_at DESC LIMIT 5";

  /** One minute's counts. */
  public record Minute(Instant minute, long accepted, long delivered, long failed, long expired) {}

  /** Attempts of one channel's provider, and the time from accept to delivered. */
  public record ProviderFigures(
      String channel,
      String provider,
      long attempts,
      long delivered,
      Double medianSeconds,
      Double p95Seconds) {}

  /** How often the cascade moved on from a channel, and why. */
  public record Failovers(String channel, String reason, long count) {}

  /** One kind of webhook error, and how often it came. */
  public record WebhookError(String error, long count, Instant lastAt) {}

  /** The webhook backlog and its recent failures. */
  public record WebhookHealth(
      long pending, long retrying, long failed, Instant oldestPending, List<WebhookError> errors) {}

  /** Everything the tenant view shows, for the last hour. */
  public record Figures(
      Instant at,
      long accepted,
      long delivered,
      long failed,
      long expired,
      long doubleDeliveries,
      List<Minute> perMinute,
      List<ProviderFigures> providers,
      List<Failovers> failovers,
      WebhookHealth webhooks) {}

  private final Pool database;

  TenantFigures(Pool database) {
    this.database = database;
  }

  /** The tenant's figures for the hour up to now. */
  public Uni<Figures> of(UUID tenantId) {
    Instant now = Instant.now();
    OffsetDateTime since = now.minus(WINDOW).atOffset(ZoneOffset.UTC);
    Tuple window = Tuple.of(tenantId, firstIdAt(now.minus(LOOK_BACK)), since);
    Tuple webhooks = Tuple.of(tenantId, since);
    return Uni.combine()
        .all()
        .unis(
            database.preparedQuery(PER_MINUTE).execute(window),
            database.preparedQuery(PER_PROVIDER).execute(window),
            database.preparedQuery(FAILOVERS).execute(window),
            database.preparedQuery(DOUBLE_DELIVERIES).execute(window),
            database.preparedQuery(WEBHOOKS).execute(webhooks),
            database.preparedQuery(WEBHOOK_ERRORS).execute(webhooks))
        .with(
            results -> {
              @SuppressWarnings("unchecked")
              List<Row>[] rows = new List[results.size()];
              for (int i = 0; i < results.size(); i++) {
                rows[i] = new ArrayList<>();
                for (Row row : (io.vertx.mutiny.sqlclient.RowSet<Row>) results.get(i)) {
                  rows[i].add(row);
                }
              }
              return figures(now, rows);
            });
  }

  private static Figures figures(Instant now, List<Row>[] rows) {
    Map<Instant, long[]> minutes = new LinkedHashMap<>();
    Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(WINDOW).plus(Duration.ofMinutes(1));
    for (Instant m = first; !m.isAfter(now); m = m.plus(Duration.ofMinutes(1))) {
      minutes.put(m, new long[4]);
    }
    long[] totals = new long[4];
    for (Row row : rows[0]) {
      int kind =
          switch (row.getString("kind")) {
            case "accepted" -> 0;
            case "delivered" -> 1;
            case "failed" -> 2;
            default -> 3;
          };
      long n = row.getLong("n");
      totals[kind] += n;
      long[] minute = minutes.get(row.getOffsetDateTime("minute").toInstant());
      if (minute != null) {
        minute[kind] += n;
      }
    }
    List<Minute> perMinute = new ArrayList<>();
    minutes.forEach((m, c) -> perMinute.add(new Minute(m, c[0], c[1], c[2], c[3])));
    List<ProviderFigures> providers = new ArrayList<>();
    for (Row row : rows[1]) {
      providers.add(
          new ProviderFigures(
              row.getString("channel"),
              row.getString("provider"),
              row.getLong("attempts"),
              row.getLong("delivered"),
              row.getDouble("p50"),
              row.getDouble("p95")));
    }
    List<Failovers> failovers = new ArrayList<>();
    for (Row row : rows[2]) {
      failovers.add(
          new Failovers(row.getString("channel"), row.getString("reason"), row.getLong("n")));
    }
    long doubles = rows[3].get(0).getLong("n");
    Row hooks = rows[4].get(0);
    List<WebhookError> errors = new ArrayList<>();
    for (Row row : rows[5]) {
      errors.add(
          new WebhookError(
              row.getString("last_error"),
              row.getLong("n"),
              row.getOffsetDateTime("last_at").toInstant()));
    }
    OffsetDateTime oldest = hooks.getOffsetDateTime("oldest_pending");
    return new Figures(
        now,
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        doubles,
        perMinute,
        providers,
        failovers,
        new WebhookHealth(
            hooks.getLong("pending"),
            hooks.getLong("retrying"),
            hooks.getLong("failed"),
            oldest == null ? null : oldest.toInstant(),
            errors));
  }

  /** The smallest UUIDv7 of a message accepted at {@code time}: ids sort by creation time. */
  static UUID firstIdAt(Instant time) {
    return new UUID((time.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
  }
}
