package io.cascade.webhook;

import io.cascade.api.Backoff;
import io.cascade.channel.http.HttpProviders;
import io.cascade.observability.CascadeMetrics;
import io.cascade.outbound.OutboundFailure;
import io.cascade.outbound.OutboundHttp;
import io.cascade.outbound.RefusedUrl;
import io.cascade.outbound.TenantUrls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Delivers webhook events: claims due events with {@code FOR UPDATE SKIP LOCKED} and a lease (so
 * several replicas share the work), POSTs each stored body signed with its tenant's secret, and
 * records the outcome. Every delivery completes on its own, never waiting for the rest of its
 * batch, and each tenant has a few deliveries in flight at most, so a slow or dead endpoint delays
 * only its own tenant's events.
 */
@ApplicationScoped
public class WebhookDeliverer {

  private static final Logger LOG = Logger.getLogger(WebhookDeliverer.class);
  private static final int MAX_ERROR_LENGTH = 1000;

  /**
   * How many of the oldest due events a poll looks at per free slot: enough that one tenant's
   * backlog leaves room for the others' events in the same poll.
   */
  private static final int CANDIDATES_PER_SLOT = 4;

  /** Header carrying {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}. */
  public static final String SIGNATURE_HEADER = "Cascade-Signature";

  /** The last error of an event given up because its tenant removed the webhook. */
  static final String WEBHOOK_REMOVED = "the tenant's webhook was removed";

  static final String SECRET_UNREADABLE = "secret_unreadable";

  /**
   * Longest Retry-After taken as given, 2^31 seconds (68 years): what RFC 9111 section 1.2.2 has a
   * recipient assume for a delta-seconds too large to represent. Anything this long gives the event
   * up (it is past max-age); the cap only keeps the arithmetic from overflowing.
   */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(1L << 31);

  /**
   * Shortest wait a Retry-After gets: {@code 0} (or a date in the past) would otherwise have the
   * event sent again at every poll.
   */
  static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);

  private static final BigInteger MAX_RETRY_AFTER_SECONDS =
      BigInteger.valueOf(MAX_RETRY_AFTER.toSeconds());

  // Tenants already at their cap on this replica are left out of the claim, and of the $4 oldest
  // due events no tenant gets more than its cap ($5): a tenant's backlog neither crowds out the
  // others nor gets claimed only to be handed back. due_at is when the event fell due, before the
  // lease moved it on.
  private static final String CLAIM_DUE =
      "UPDATE webhook_event e SET next_attempt_at = now() + make_interval(secs => $2)"
          + " FROM (SELECT id, next_attempt_at FROM webhook_event WHERE id IN ("
          + " SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY tenant_id"
          + " ORDER BY next_attempt_at) AS place FROM (SELECT id, tenant_id, next_attempt_at"
          + " FROM webhook_event WHERE state = 'PENDING' AND next_attempt_at <= now()"
          + " AND NOT (tenant_id = ANY($3)) ORDER BY next_attempt_at LIMIT $4) oldest) ranked"
          + " WHERE place <= $5)"
          + " AND state = 'PENDING' AND next_attempt_at <= now()"
          + " ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due"
          + " WHERE e.id = due.id"
          + " RETURNING e.id, e.tenant_id, e.url, e.body, e.created_at, e.attempts, e.last_error,"
          + " due.next_attempt_at AS due_at,"
          + " (SELECT secret FROM tenant_webhook w WHERE w.tenant_id = e.tenant_id) AS secret";
  // Only DELIVERED may change an event given up meanwhile (its tenant removed the webhook while
  // it was being sent): what got through is recorded as delivered; the other outcomes leave it be.
  private static final String DELIVERED =
      "UPDATE webhook_event SET state = 'DELIVERED', attempts = attempts + 1,"
          + " delivered_at = now(), next_attempt_at = NULL, last_error = NULL WHERE id = $1";
  // The wait, but never past the event's deadline ($4): the last retry is made at it.
  private static final String RETRY =
      "UPDATE webhook_event SET attempts = attempts + 1, last_error = $2,"
          + " next_attempt_at = LEAST(now() + make_interval(secs => $3), $4)"
          + " WHERE id = $1 AND state = 'PENDING'";
  // $3 counts the attempt (1) or not (0, given up without a request).
  private static final String GIVE_UP =
      "UPDATE webhook_event SET state = 'FAILED', attempts = attempts + $3, last_error = $2,"
          + " next_attempt_at = NULL WHERE id = $1 AND state = 'PENDING'";
  // Back to when it fell due: its place in line, and the deadline check, stay as they were.
  private static final String RELEASE =
      "UPDATE webhook_event SET next_attempt_at = $2 WHERE id = $1 AND state = 'PENDING'";

  private final Pool database;
  private final WebhookConfig config;
  private final CascadeMetrics metrics;
  private final TenantUrls urls;
  private final OutboundHttp http;
  private final WebhookSecrets secrets;
  private final Vertx vertx;
  private long timer;
  private volatile boolean stopping;
  private final AtomicBoolean polling = new AtomicBoolean();
  // Set when the last poll may have left due events behind: it claimed some, handed one back, or
  // left out tenants at their cap.
  private volatile boolean backlog;
  // A poll was asked for while one ran: run another when it ends.
  private final AtomicBoolean pollAgain = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<UUID, Integer> inFlightPerTenant = new ConcurrentHashMap<>();

  /**
   * A claimed event, due at {@code dueAt}; {@code secret} is null when the tenant's webhook was
   * removed since.
   */
  private record Claimed(
      UUID id,
      UUID tenantId,
      String url,
      String body,
      Instant createdAt,
      int attempts,
      String lastError,
      Instant dueAt,
      String secret) {}

  /** What one delivery came to. */
  private sealed interface Outcome {
    record Delivered() implements Outcome {}

    record Retry(String error, Duration retryAfter) implements Outcome {}

    /** Given up; {@code attempted} when a request was made, which counts as an attempt. */
    record GiveUp(String error, boolean attempted) implements Outcome {}
  }

  WebhookDeliverer(
      Pool database,
      WebhookConfig config,
      CascadeMetrics metrics,
      Vertx vertx,
      TenantUrls urls,
      OutboundHttp http,
      WebhookSecrets secrets) {
    this.secrets = secrets;
    this.database = database;
    this.config = config;
    this.metrics = metrics;
    this.vertx = vertx;
    this.urls = urls;
    this.http = http;
  }

  /**
   * Polls every {@code poll-interval} (a timer: the scheduler's floor is 1 s), and again whenever a
   * delivery ends while due events are left behind, so a busy tenant's events flow as fast as its
   * endpoint answers rather than a few per interval. One poll at a time.
   */
  void start(@Observes StartupEvent startup) {
    timer = vertx.setPeriodic(Math.max(1, config.pollInterval().toMillis()), ignored -> pollNow());
  }

  private void pollNow() {
    if (stopping) {
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      pollAgain.set(true);
      return;
    }
    pollAgain.set(false);
    poll()
        .subscribe()
        .with(
            done -> {
              polling.set(false);
              if (pollAgain.get()) {
                pollNow();
              }
            },
            failure -> polling.set(false));
  }

  /** Stops claiming before the container goes away; what is in flight, the lease hands back. */
  void stop(@Observes ShutdownEvent shutdown) {
    stopping = true;
    vertx.cancelTimer(timer);
  }

  /** Claims due events and starts delivering each; completes once they are claimed, not sent. */
  Uni<Void> poll() {
    int room = config.maxConcurrency() - inFlight.get();
    if (room <= 0) {
      return Uni.createFrom().voidItem();
    }
    UUID[] busy =
        inFlightPerTenant.entrySet().stream()
            .filter(e -> e.getValue() >= config.perTenantConcurrency())
            .map(Map.Entry::getKey)
            .toArray(UUID[]::new);
    backlog = busy.length > 0;
    return database
        .preparedQuery(CLAIM_DUE)
        .execute(
            Tuple.of(room, config.claimLease().toMillis() / 1000.0)
                .addArrayOfUUID(busy)
                .addInteger(room * CANDIDATES_PER_SLOT)
                .addInteger(config.perTenantConcurrency()))
        .invoke(
            rows -> {
              // A claim that found anything may have left more behind (it takes at most a
              // tenant's cap of each tenant's events).
              if (rows.rowCount() > 0) {
                backlog = true;
              }
              for (Row row : rows) {
                deliver(
                    new Claimed(
                        row.getUUID("id"),
                        row.getUUID("tenant_id"),
                        row.getString("url"),
                        row.getString("body"),
                        row.getOffsetDateTime("created_at").toInstant(),
                        row.getInteger("attempts"),
                        row.getString("last_error"),
                        row.getOffsetDateTime("due_at").toInstant(),
                        row.getString("secret")));
              }
            })
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.warnf("webhook claim failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  /** Starts one delivery, which records its own outcome; the caller does not wait for it. */
  private void deliver(Claimed event) {
    if (!takeSlot(event.tenantId())) {
      // The batch held more of this tenant's events than it has free slots: hand this one back
      // for a later poll, no attempt counted. Should the release fail, the lease hands it back.
      backlog = true;
      database
          .preparedQuery(RELEASE)
          .execute(Tuple.of(event.id(), timestamp(event.dueAt())))
          .subscribe()
          .with(released -> {}, failure -> LOG.debugf("release failed: %s", failure));
      return;
    }
    String unsendable = unsendable(event);
    Uni<Outcome> outcome =
        unsendable != null
            ? Uni.createFrom().item(new Outcome.GiveUp(unsendable, false))
            : post(event);
    outcome
        .flatMap(result -> record(event, result))
        .eventually(() -> freeSlot(event.tenantId()))
        .subscribe()
        .with(
            ignored -> {},
            // The lease runs out and the event is delivered again: at least once. Expected for
            // deliveries still in flight at shutdown.
            failure -> {
              if (!stopping) {
                LOG.warnf("webhook event %s: outcome not recorded: %s", event.id(), failure);
              }
            });
  }

  /** Why {@code event} is given up without a request, or null when it is to be sent. */
  private String unsendable(Claimed event) {
    // The DELETE gives up what is pending; this catches an event recorded while it ran.
    if (event.secret() == null) {
      return WEBHOOK_REMOVED;
    }
    // Judged by when the attempt fell due, not by when a poll came round to it (a moment later, or
    // long after an outage): the last retry, due right at the deadline, is still made. One due
    // after it (handed back by a lease that ran out past it) is not.
    if (event.dueAt().isAfter(deadline(event))) {
      return pastMaxAge(event.lastError());
    }
    return null;
  }

  /** The last moment an attempt may fall due: {@code max-age} after the event happened. */
  private Instant deadline(Claimed event) {
    return event.createdAt().plus(config.maxAge());
  }

  private static String pastMaxAge(String lastError) {
    return (lastError == null ? "" : lastError + "; ") + "not delivered within max-age";
  }

  /**
   * The URL is checked again here, not only when it was stored: what its name resolves to may have
   * changed, and the call goes to the address checked now. A refused URL is given up, unless its
   * name merely did not resolve.
   */
  private Uni<Outcome> post(Claimed event) {
    String secret;
    try {
      secret = secrets.open(event.tenantId(), event.secret());
    } catch (SecretSealer.Unreadable e) {
      // The operator removed the key that sealed it too early: kept, and tried again later.
      LOG.warnf("webhook secret of tenant %s: %s", event.tenantId(), e.getMessage());
      return Uni.createFrom().item(new Outcome.Retry(SECRET_UNREADABLE, null));
    }
    byte[] body = event.body().getBytes(StandardCharsets.UTF_8);
    return urls.check(event.url())
        .flatMap(
            target ->
                http.post(
                    target,
                    Map.of(
                        "Content-Type",
                        "application/json",
                        "User-Agent",
                        "cascade-webhooks",
                        SIGNATURE_HEADER,
                        signature(secret, Instant.now(), body)),
                    body,
                    config.timeout()))
        .map(WebhookDeliverer::outcomeOf)
        .onFailure(RefusedUrl.class)
        .recoverWithItem(
            failure -> {
              RefusedUrl refused = (RefusedUrl) failure;
              return refused.mayWorkLater()
                  ? new Outcome.Retry(refused.code(), null)
                  : new Outcome.GiveUp(refused.code(), false);
            })
        .onFailure(OutboundFailure.class)
        .recoverWithItem(failure -> new Outcome.Retry(((OutboundFailure) failure).code(), null))
        .onFailure()
        .recoverWithItem(failure -> new Outcome.Retry(OutboundFailure.classify(failure), null));
  }

  /** The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code now}. */
  static String signature(String secret, Instant now, byte[] body) {
    String t = Long.toString(now.getEpochSecond());
    byte[] prefix = (t + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return "t="
        + t
        + ",v1="
        + HexFormat.of().formatHex(HttpProviders.hmac("HmacSHA256", secret, signed));
  }

  /**
   * 2xx delivers; 408, 429 and 5xx are retried, after the endpoint's Retry-After if it gave one;
   * anything else, a redirect included, gives up.
   */
  private static Outcome outcomeOf(OutboundHttp.Answer answer) {
    int status = answer.status();
    if (status >= 200 && status < 300) {
      return new Outcome.Delivered();
    }
    String error = "http_" + status;
    if (status == 408 || status == 429 || status >= 500) {
      return new Outcome.Retry(error, retryAfter(answer.headers().get("Retry-After")));
    }
    return new Outcome.GiveUp(error, true);
  }

  /**
   * The wait for a Retry-After: at least {@link #MIN_RETRY_AFTER}, at most {@code max} (coming back
   * sooner than asked costs one request; an endpoint back early gets its events sooner).
   */
  static Duration bounded(Duration retryAfter, Duration max) {
    if (retryAfter.compareTo(MIN_RETRY_AFTER) < 0) {
      return MIN_RETRY_AFTER;
    }
    return retryAfter.compareTo(max) > 0 ? max : retryAfter;
  }

  /**
   * A Retry-After header (delay-seconds or an HTTP-date) as a wait from now, at most {@link
   * #MAX_RETRY_AFTER}; null when absent or unreadable.
   */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    if (value.matches("\\d+")) {
      // A BigInteger: more digits than a long holds are as good as forever, so capped as well.
      return Duration.ofSeconds(new BigInteger(value).min(MAX_RETRY_AFTER_SECONDS).longValue());
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(Instant.now(), at);
      if (wait.isNegative()) {
        return Duration.ZERO;
      }
      return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    } catch (DateTimeParseException notADate) {
      return null;
    }
  }

  private Uni<Void> record(Claimed event, Outcome outcome) {
    if (outcome instanceof Outcome.Delivered) {
      metrics.webhook("delivered");
      return database.preparedQuery(DELIVERED).execute(Tuple.of(event.id())).replaceWithVoid();
    }
    if (outcome instanceof Outcome.Retry retry) {
      Instant deadline = deadline(event);
      Instant now = Instant.now();
      // Our own backoff is cut short at the deadline (see RETRY): the last retry falls due there. A
      // Retry-After past it asks us not to come back in time: give up now, not come back early.
      boolean inTime =
          retry.retryAfter() == null
              ? now.isBefore(deadline)
              : !now.plus(retry.retryAfter()).isAfter(deadline);
      if (inTime) {
        Duration wait =
            retry.retryAfter() != null
                ? bounded(retry.retryAfter(), config.retryAfterMax())
                : Backoff.delay(config.retryDelay(), config.retryMaxDelay(), event.attempts() + 1);
        metrics.webhook("retried");
        return database
            .preparedQuery(RETRY)
            .execute(
                Tuple.of(
                    event.id(),
                    truncate(retry.error()),
                    wait.toMillis() / 1000.0,
                    timestamp(deadline)))
            .replaceWithVoid();
      }
      outcome = new Outcome.GiveUp(pastMaxAge(retry.error()), true);
    }
    metrics.webhook("given_up");
    Outcome.GiveUp giveUp = (Outcome.GiveUp) outcome;
    LOG.infof("webhook event %s given up: %s", event.id(), giveUp.error());
    return database
        .preparedQuery(GIVE_UP)
        .execute(Tuple.of(event.id(), truncate(giveUp.error()), giveUp.attempted() ? 1 : 0))
        .replaceWithVoid();
  }

  private boolean takeSlot(UUID tenantId) {
    boolean[] taken = new boolean[1];
    inFlightPerTenant.compute(
        tenantId,
        (id, count) -> {
          int current = count == null ? 0 : count;
          taken[0] = current < config.perTenantConcurrency();
          return taken[0] ? current + 1 : count;
        });
    if (taken[0]) {
      inFlight.incrementAndGet();
    }
    return taken[0];
  }

  private void freeSlot(UUID tenantId) {
    inFlight.decrementAndGet();
    inFlightPerTenant.computeIfPresent(tenantId, (id, count) -> count <= 1 ? null : count - 1);
    if (backlog) {
      pollNow();
    }
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static String truncate(String error) {
    return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
  }
}
