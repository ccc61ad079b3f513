package io.cascade.tenant;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Which tenants are disabled, and which have limits of their own, as this replica knows it: read
 * again every {@code cascade.auth.tenant-refresh-interval} (one small query), changed at once when
 * this replica disables or enables one. Their calls are refused and the dispatcher holds their
 * messages. When a tenant leaves the set, {@link TenantEnabled} is fired.
 */
@ApplicationScoped
public class TenantAccess {

  private static final Logger LOG = Logger.getLogger(TenantAccess.class);
  private static final String DISABLED_OR_LIMITED =
      "SELECT id, disabled_at IS NOT NULL AS disabled, messages_per_second, daily_quota"
          + " FROM tenant WHERE disabled_at IS NOT NULL OR messages_per_second IS NOT NULL"
          + " OR daily_quota IS NOT NULL";

  private final Pool database;
  private final AuthConfig config;
  private final Event<TenantEnabled> enabled;
  private volatile Set<UUID> disabled = Set.of();
  private volatile Map<UUID, TenantLimits> limits = Map.of();
  private final AtomicLong localChanges = new AtomicLong();
  private long timer = -1;
  private Vertx vertx;

  TenantAccess(Pool database, AuthConfig config, Event<TenantEnabled> enabled) {
    this.database = database;
    this.config = config;
    this.enabled = enabled;
  }

  /** Whether the tenant's calls are refused and its messages held. */
  public boolean isDisabled(UUID tenantId) {
    return disabled.contains(tenantId);
  }

  /** The tenant's own limits, or {@link TenantLimits#DEFAULTS}. */
  public TenantLimits limitsOf(UUID tenantId) {
    return limits.getOrDefault(tenantId, TenantLimits.DEFAULTS);
  }

  void start(@Observes StartupEvent startup, Vertx vertx) {
    this.vertx = vertx;
    AtomicBoolean running = new AtomicBoolean();
    refresh(running);
    timer =
        vertx.setPeriodic(config.tenantRefreshInterval().toMillis(), ignored -> refresh(running));
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** This replica just disabled ({@code true}) or enabled the tenant. */
  synchronized void changed(UUID tenantId, boolean nowDisabled) {
    localChanges.incrementAndGet();
    Set<UUID> next = new HashSet<>(disabled);
    if (nowDisabled) {
      next.add(tenantId);
    } else {
      next.remove(tenantId);
    }
    replace(Set.copyOf(next), limits);
  }

  /** This replica just set the tenant's limits. */
  synchronized void changed(UUID tenantId, TenantLimits newLimits) {
    localChanges.incrementAndGet();
    Map<UUID, TenantLimits> next = new HashMap<>(limits);
    if (newLimits.isDefault()) {
      next.remove(tenantId);
    } else {
      next.put(tenantId, newLimits);
    }
    replace(disabled, Map.copyOf(next));
  }

  private void refresh(AtomicBoolean running) {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    // A read that began before a change made here may not have seen it: it is dropped.
    long changesBefore = localChanges.get();
    database
        .query(DISABLED_OR_LIMITED)
        .execute()
        .subscribe()
        .with(
            rows -> {
              Set<UUID> readDisabled = new HashSet<>();
              Map<UUID, TenantLimits> readLimits = new HashMap<>();
              for (Row row : rows) {
                UUID id = row.getUUID("id");
                if (row.getBoolean("disabled")) {
                  readDisabled.add(id);
                }
                TenantLimits own =
                    new TenantLimits(
                        row.getInteger("messages_per_second"), row.getLong("daily_quota"));
                if (!own.isDefault()) {
                  readLimits.put(id, own);
                }
              }
              replaceUnlessChangedSince(
                  changesBefore, Set.copyOf(readDisabled), Map.copyOf(readLimits));
              running.set(false);
            },
            failure -> {
              // Keep what was known: nothing can be sent or accepted without the database anyway.
              LOG.debugf("reading disabled and limited tenants failed: %s", failure);
              running.set(false);
            });
  }

  private synchronized void replaceUnlessChangedSince(
      long changesBefore, Set<UUID> next, Map<UUID, TenantLimits> nextLimits) {
    if (localChanges.get() == changesBefore) {
      replace(next, nextLimits);
    }
  }

  private synchronized void replace(Set<UUID> next, Map<UUID, TenantLimits> nextLimits) {
    limits = nextLimits;
    Set<UUID> before = disabled;
    disabled = next;
    for (UUID tenantId : before) {
      if (!next.contains(tenantId)) {
        enabled.fire(new TenantEnabled(tenantId));
      }
    }
  }
}
