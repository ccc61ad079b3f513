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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What became of the messages a tenant sent in the last hour, read (never written) from the message
 * tables. Message ids are UUIDv7, so "accepted since" is a range of the {@code (tenant_id, id)}
 * index: the figures cost the same at ten thousand messages or ten million.
 */
@ApplicationScoped
public class TenantFigures {

  /** The window the figures cover. */
  static final Duration WINDOW = Duration.ofHours(1);

  // The messages accepted in the window: a range of the (tenant_id, id) index, as ids are UUIDv7.
  private static final String RECENT =
      "WITH recent AS (SELECT id, status, created_at, updated_at FROM message"
          + " WHERE tenant_id = $1 AND id >= $2) ";

  // Accepted per minute, and failed or expired per minute they ended.
  private static final String MESSAGES =
      RECENT
          + "SELECT minute, kind, count(*) AS n FROM ("
          + " SELECT date_trunc('minute', created_at) AS minute, 'accepted' AS kind FROM recent"
          + " UNION ALL SELECT date_trunc('minute', updated_at), lower(status) FROM recent"
          + "  WHERE status IN ('FAILED', 'EXPIRED')"
          + ") e GROUP BY minute, kind";

  // Everything about their attempts from one pass over the join, one section per figure: per
  // provider, failovers by reason, delivered per minute (first delivery), double deliveries.
  private static final String ATTEMPTS =
      RECENT
          + ", joined AS MATERIALIZED (SELECT a.message_id, lower(a.channel) AS channel,"
          + " a.provider, lower(a.reason) AS reason, a.delivered_at, m.created_at"
          + " FROM attempt a JOIN recent m ON a.message_id = m.id),"
          + " delivered AS (SELECT min(delivered_at) AS first, count(*) AS times FROM joined"
          + " WHERE delivered_at IS NOT NULL GROUP BY message_id)"
          + " SELECT 'provider' AS section, channel, provider, NULL AS reason,"
          + " NULL::timestamptz AS minute, count(*) AS n, count(delivered_at) AS delivered,"
          + " percentile_cont(0.5) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM delivered_at - created_at)) AS p50,"
          + " percentile_cont(0.95) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM delivered_at - created_at)) AS p95"
          + " FROM joined GROUP BY channel, provider"
          + " UNION ALL SELECT 'failover', channel, NULL, reason, NULL, count(*), 0, NULL, NULL"
          + " FROM joined WHERE reason IS NOT NULL GROUP BY channel, reason"
          + " UNION ALL SELECT 'delivered', NULL, NULL, NULL, date_trunc('minute', first),"
          + " count(*), 0, NULL, NULL FROM delivered GROUP BY 5"
          + " UNION ALL SELECT 'doubles', NULL, NULL, NULL, NULL, count(*), 0, NULL, NULL"
          + " FROM delivered WHERE times > 1";

  // Each part a range of a partial index: pending events, and events that had an error.
  private static final String WEBHOOKS =
      "SELECT p.pending, p.retrying, p.oldest_pending, f.failed FROM"
          + " (SELECT count(*) AS pending, count(*) FILTER (WHERE attempts > 0) AS retrying,"
          + " min(created_at) AS oldest_pending FROM webhook_event"
          + " WHERE tenant_id = $1 AND state = 'PENDING') p,"
          + " (SELECT count(*) AS failed FROM webhook_event WHERE tenant_id = $1"
          + " AND last_error IS NOT NULL AND created_at >= $2 AND state = 'FAILED') f";

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

  /** The tenant's figures for the messages accepted in the hour up to now. */
  public Uni<Figures> of(UUID tenantId) {
    Instant now = Instant.now();
    Instant since = now.minus(WINDOW);
    Tuple window = Tuple.of(tenantId, firstIdAt(since));
    Tuple webhooks = Tuple.of(tenantId, since.atOffset(ZoneOffset.UTC));
    return Uni.combine()
        .all()
        .unis(
            database.preparedQuery(MESSAGES).execute(window),
            database.preparedQuery(ATTEMPTS).execute(window),
            database.preparedQuery(WEBHOOKS).execute(webhooks),
            database.preparedQuery(WEBHOOK_ERRORS).execute(webhooks))
        .with(
            (messages, attempts, hooks, hookErrors) ->
                figures(now, messages, attempts, hooks.iterator().next(), hookErrors));
  }

  private static Figures figures(
      Instant now,
      Iterable<Row> messages,
      Iterable<Row> attempts,
      Row hooks,
      Iterable<Row> hookErrors) {
    Map<Instant, long[]> minutes = new LinkedHashMap<>();
    Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(WINDOW).plus(Duration.ofMinutes(1));
    for (Instant m = first; !m.isAfter(now); m = m.plus(Duration.ofMinutes(1))) {
      minutes.put(m, new long[4]);
    }
    long[] totals = new long[4];
    for (Row row : messages) {
      int kind =
          switch (row.getString("kind")) {
            case "accepted" -> 0;
            case "failed" -> 2;
            default -> 3;
          };
      count(minutes, totals, kind, row.getOffsetDateTime("minute"), row.getLong("n"));
    }
    List<ProviderFigures> providers = new ArrayList<>();
    List<Failovers> failovers = new ArrayList<>();
    long doubles = 0;
    for (Row row : attempts) {
      switch (row.getString("section")) {
        case "provider" ->
            providers.add(
                new ProviderFigures(
                    row.getString("channel"),
                    row.getString("provider"),
                    row.getLong("n"),
                    row.getLong("delivered"),
                    row.getDouble("p50"),
                    row.getDouble("p95")));
        case "failover" ->
            failovers.add(
                new Failovers(row.getString("channel"), row.getString("reason"), row.getLong("n")));
        case "delivered" ->
            count(minutes, totals, 1, row.getOffsetDateTime("minute"), row.getLong("n"));
        default -> doubles = row.getLong("n");
      }
    }
    providers.sort(
        Comparator.comparing(ProviderFigures::channel).thenComparing(ProviderFigures::provider));
    failovers.sort(Comparator.comparingLong(Failovers::count).reversed());
    List<Minute> perMinute = new ArrayList<>();
    minutes.forEach((m, c) -> perMinute.add(new Minute(m, c[0], c[1], c[2], c[3])));
    List<WebhookError> errors = new ArrayList<>();
    for (Row row : hookErrors) {
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

  private static void count(
      Map<Instant, long[]> minutes, long[] totals, int kind, OffsetDateTime minute, long n) {
    totals[kind] += n;
    long[] counts = minutes.get(minute.toInstant());
    if (counts != null) {
      counts[kind] += n;
    }
  }

  /** The smallest UUIDv7 of a message accepted at {@code time}: ids sort by creation time. */
  static UUID firstIdAt(Instant time) {
    return new UUID((time.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
  }
}
