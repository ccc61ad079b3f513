package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Tells whose an API key is, cheaply: keys of the wrong shape are refused without a lookup, answers
 * are cached ({@link KeyCache}), and lookups go through a {@link LookupGate} so that a flood of
 * made-up keys cannot take the database pool. A valid key found by a lookup gets its {@code
 * last_used_at} written when it is a minute old.
 */
@ApplicationScoped
public class KeyVerifier {

  private static final String FIND =
      "SELECT id, tenant_id, last_used_at FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL";
  private static final String TOUCH = "UPDATE api_key SET last_used_at = now() WHERE id = $1";
  private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);
  private static final String INVALID = "The API key is not valid.";

  private final Pool database;
  private final KeyCache cache;
  private final LookupGate gate;
  private final Counter validLookups;
  private final Counter unknownLookups;
  private final Counter busy;

  KeyVerifier(Pool database, AuthConfig config, MeterRegistry registry) {
    this.database = database;
    this.cache = new KeyCache(config.keyCacheTtl(), config.unknownKeyTtl(), config.keyCacheSize());
    this.gate = new LookupGate(config.maxLookups(), config.maxQueuedLookups());
    this.validLookups = lookups(registry, "valid");
    this.unknownLookups = lookups(registry, "unknown");
    this.busy = lookups(registry, "busy");
  }

  /** The tenant the key belongs to; fails with a 401 (or a 503 when too many lookups wait). */
  Uni<UUID> tenantOf(String key) {
    if (!ApiKeys.wellFormed(key)) {
      return Uni.createFrom().failure(ApiException.unauthorized(INVALID));
    }
    String hash = ApiKeys.hash(key);
    KeyCache.Known known = cache.get(hash, System.nanoTime());
    if (known != null) {
      return known.valid()
          ? Uni.createFrom().item(known.tenantId())
          : Uni.createFrom().failure(ApiException.unauthorized(INVALID));
    }
    return gate.run(() -> lookUp(hash))
        .onFailure(LookupGate.Busy.class)
        .transform(
            full -> {
              busy.increment();
              return ApiException.unavailable(
                  "Too many API keys are being checked at once; retry in a second.", 1);
            })
        .map(
            found -> {
              if (found == null) {
                throw ApiException.unauthorized(INVALID);
              }
              return found.tenantId();
            });
  }

  /** A key revoked on this replica stops working here at once. */
  void forget(String keyHash) {
    cache.forget(keyHash);
  }

  private Uni<KeyCache.Known> lookUp(String hash) {
    return database
        .preparedQuery(FIND)
        .execute(Tuple.of(hash))
        .map(
            rows -> {
              RowIterator<Row> found = rows.iterator();
              long now = System.nanoTime();
              if (!found.hasNext()) {
                unknownLookups.increment();
                cache.rememberUnknown(hash, now);
                return null;
              }
              Row row = found.next();
              validLookups.increment();
              UUID keyId = row.getUUID("id");
              cache.rememberValid(hash, keyId, row.getUUID("tenant_id"), now);
              touchIfStale(keyId, row.getOffsetDateTime("last_used_at"));
              return new KeyCache.Known(keyId, row.getUUID("tenant_id"));
            });
  }

  private void touchIfStale(UUID keyId, OffsetDateTime lastUsed) {
    if (lastUsed == null
        || lastUsed.toInstant().isBefore(Instant.now().minus(LAST_USED_PRECISION))) {
      // Best effort: a lost write only makes last_used_at older than it is.
      database
          .preparedQuery(TOUCH)
          .execute(Tuple.of(keyId))
          .subscribe()
          .with(ignored -> {}, failure -> {});
    }
  }

  private static Counter lookups(MeterRegistry registry, String result) {
    return Counter.builder("cascade.auth.lookups")
        .description("API key lookups in the database, by result (busy: refused, too many waiting)")
        .tag("result", result)
        .register(registry);
  }
}
