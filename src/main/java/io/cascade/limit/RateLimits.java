package io.cascade.limit;

import io.cascade.api.ApiException;
import io.cascade.tenant.TenantAccess;
import io.cascade.tenant.TenantLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Per-tenant rate and daily quota of {@code POST /v1/messages}, shared by all replicas through
 * PostgreSQL: each replica decides locally ({@link RateLimiter}) and, every {@code
 * cascade.limits.sync-interval}, publishes its counts and reads the others' in two statements.
 */
@ApplicationScoped
public class RateLimits {

  private static final Logger LOG = Logger.getLogger(RateLimits.class);
  private static final long FORGET_EVERY_MS = 10_000;

  private final RateLimiter limiter = new RateLimiter();
  private final UUID replica = UUID.randomUUID();
  private final UsageStore store;
  private final TenantAccess access;
  private final LimitConfig config;
  private final Counter refused;
  private final Counter overQuota;
  private Vertx vertx;
  private long syncTimer = -1;
  private long forgetTimer = -1;

  RateLimits(UsageStore store, TenantAccess access, LimitConfig config, MeterRegistry registry) {
    this.store = store;
    this.access = access;
    this.config = config;
    this.refused = refusals(registry, "rate");
    this.overQuota = refusals(registry, "quota");
  }

  /**
   * Counts one request of the tenant and returns the {@code RateLimit-*} headers for its answer;
   * fails with a 429 when the tenant is over its rate or its daily quota.
   */
  public RateLimitHeaders admit(UUID tenantId) {
    TenantLimits limits = access.limitsOf(tenantId);
    long perSecond =
        limits.messagesPerSecond() != null
            ? limits.messagesPerSecond()
            : config.messagesPerSecond();
    RateLimiter.Decision decision;
    synchronized (limiter) {
      decision =
          limiter.admit(tenantId, perSecond, limits.dailyQuota(), System.currentTimeMillis());
    }
    RateLimitHeaders headers =
        new RateLimitHeaders(decision.limit(), decision.remaining(), decision.resetSeconds());
    if (decision.admitted()) {
      return headers;
    }
    boolean quota = "quota-exceeded".equals(decision.problemType());
    (quota ? overQuota : refused).increment();
    throw headers.onto(
        ApiException.tooManyRequests(
            decision.problemType(),
            quota
                ? "This tenant's daily quota of " + decision.limit() + " messages is used up."
                : "This tenant may send " + decision.limit() + " messages a second.",
            decision.retryAfterSeconds()));
  }

  void start(@Observes StartupEvent startup, Vertx vertx) {
    this.vertx = vertx;
    AtomicBoolean syncing = new AtomicBoolean();
    syncTimer =
        vertx.setPeriodic(
            config.syncInterval().toMillis(),
            ignored -> {
              if (syncing.compareAndSet(false, true)) {
                sync().subscribe().with(done -> syncing.set(false), failure -> syncing.set(false));
              }
            });
    forgetTimer = vertx.setPeriodic(FORGET_EVERY_MS, ignored -> forgetOld());
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(syncTimer);
      vertx.cancelTimer(forgetTimer);
    }
  }

  /** Publishes this replica's counts, then reads the others' and deals the shares again. */
  Uni<Void> sync() {
    long readAt = System.currentTimeMillis();
    List<RateLimiter.Usage> usage;
    List<UUID> tenants;
    synchronized (limiter) {
      usage = limiter.usage(readAt);
      tenants = limiter.tenants();
    }
    if (usage.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    long second = readAt / 1000;
    long day = Math.floorDiv(readAt, 86_400_000L);
    return store
        .publish(replica, usage)
        .flatMap(published -> store.others(replica, tenants, second - 1, second, day))
        .invoke(
            others -> {
              synchronized (limiter) {
                limiter.synced(others, readAt, System.currentTimeMillis());
              }
            })
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.debugf("syncing rate limit counts failed: %s", failure))
        .onFailure()
        .recoverWithNull();
  }

  private void forgetOld() {
    long now = System.currentTimeMillis();
    store
        .forgetBefore(now / 1000 - 10, Math.floorDiv(now, 86_400_000L) - 1)
        .subscribe()
        .with(done -> {}, failure -> LOG.debugf("deleting old rate counts failed: %s", failure));
  }

  private static Counter refusals(MeterRegistry registry, String reason) {
    return Counter.builder("cascade.limits.refused")
        .description("POST /v1/messages answered 429, by reason")
        .tag("reason", reason)
        .register(registry);
  }
}
