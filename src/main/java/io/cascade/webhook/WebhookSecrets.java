package io.cascade.webhook;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The webhook signing secrets as stored: sealed with the configured key ({@link SecretSealer}). At
 * start, every secret not sealed with the current key (stored before sealing, or under a key being
 * replaced) is sealed again with it, so an old key can be removed once every replica runs with the
 * new one first.
 */
@ApplicationScoped
class WebhookSecrets {

  private static final Logger LOG = Logger.getLogger(WebhookSecrets.class);
  private static final String ALL = "SELECT tenant_id, secret FROM tenant_webhook";
  // Only if unchanged since read: another replica starting beside this one may be at it too.
  private static final String RESEAL =
      "UPDATE tenant_webhook SET secret = $3 WHERE tenant_id = $1 AND secret = $2";

  private final SecretSealer sealer;
  private final Pool database;

  WebhookSecrets(WebhookConfig config, Pool database) {
    this.sealer = new SecretSealer(config.secretKeys().orElse(List.of()));
    this.database = database;
  }

  /** The form of a new secret to store. */
  String seal(UUID tenantId, String secret) {
    return sealer.seal(tenantId, secret);
  }

  /** The secret of a stored value; fails when no configured key opens it. */
  String open(UUID tenantId, String stored) throws SecretSealer.Unreadable {
    return sealer.open(tenantId, stored);
  }

  void start(@Observes StartupEvent startup) {
    if (!sealer.seals()) {
      LOG.warn(
          "webhook signing secrets are stored unsealed: set cascade.webhooks.secret-keys"
              + " (CASCADE_WEBHOOKS_SECRET_KEYS) to seal them at rest");
    }
    resealAll()
        .subscribe()
        .with(
            resealed -> {
              if (resealed > 0) {
                LOG.infof("%d webhook secret(s) sealed with the current key", resealed);
              }
            },
            failure -> LOG.warnf("sealing webhook secrets again failed: %s", failure));
  }

  /** Seals again, with the current key, every secret not sealed with it; how many. */
  Uni<Integer> resealAll() {
    return database
        .query(ALL)
        .execute()
        .onItem()
        .transformToMulti(rows -> Multi.createFrom().iterable(rows))
        .filter(row -> !sealer.isCurrent(row.getString("secret")))
        .onItem()
        .transformToUniAndConcatenate(this::reseal)
        .collect()
        .with(java.util.stream.Collectors.summingInt(Integer::intValue))
        .ifNoItem()
        .after(Duration.ofMinutes(1))
        .fail();
  }

  private Uni<Integer> reseal(Row row) {
    UUID tenantId = row.getUUID("tenant_id");
    String stored = row.getString("secret");
    String resealed;
    try {
      resealed = sealer.seal(tenantId, sealer.open(tenantId, stored));
    } catch (SecretSealer.Unreadable e) {
      LOG.warnf("webhook secret of tenant %s cannot be opened: %s", tenantId, e.getMessage());
      return Uni.createFrom().item(0);
    }
    return database
        .preparedQuery(RESEAL)
        .execute(Tuple.of(tenantId, stored, resealed))
        .map(updated -> updated.rowCount());
  }
}
