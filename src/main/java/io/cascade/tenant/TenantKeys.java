package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A tenant's API keys: created (the key is shown once), listed, revoked. Used by the tenant's own
 * {@code /v1/keys} and by the admin API; the caller provides the transaction.
 */
@ApplicationScoped
public class TenantKeys {

  /** A key as listed: never the key itself. */
  public record KeyView(
      UUID id,
      String name,
      @Schema(description = "The start of the key") String prefix,
      Instant createdAt,
      @Schema(description = "Last use, to within a minute; null if never used") Instant lastUsedAt,
      @Schema(description = "When it was revoked; null while it works") Instant revokedAt) {

    static KeyView of(ApiKeyEntity key) {
      return new KeyView(
          key.id, key.name, key.prefix, key.createdAt, key.lastUsedAt, key.revokedAt);
    }
  }

  /** A key just created: {@code key} is shown in this answer only. */
  public record CreatedKey(
      UUID id,
      String name,
      String prefix,
      Instant createdAt,
      @Schema(description = "The API key; it is not shown again") String key) {}

  private final ApiKeyRepository keys;
  private final TenantRepository tenants;
  private final KeyVerifier verifier;
  private final AuthConfig config;

  TenantKeys(
      ApiKeyRepository keys, TenantRepository tenants, KeyVerifier verifier, AuthConfig config) {
    this.keys = keys;
    this.tenants = tenants;
    this.verifier = verifier;
    this.config = config;
  }

  /** Creates a key for the tenant, unless it holds the most active keys allowed already. */
  public Uni<CreatedKey> create(UUID tenantId, String name) {
    return activeCounted(tenantId)
        .flatMap(
            active -> {
              if (active >= config.maxKeysPerTenant()) {
                throw ApiException.conflict(
                    "too-many-keys",
                    "A tenant holds at most "
                        + config.maxKeysPerTenant()
                        + " active keys: revoke one first.");
              }
              return firstKey(tenantId, name);
            });
  }

  /** Creates a key without counting: for a tenant just created. */
  Uni<CreatedKey> firstKey(UUID tenantId, String name) {
    String key = ApiKeys.newKey();
    ApiKeyEntity entity = new ApiKeyEntity();
    entity.id = UUID.randomUUID();
    entity.tenantId = tenantId;
    entity.keyHash = ApiKeys.hash(key);
    entity.prefix = ApiKeys.prefix(key);
    entity.name = name;
    entity.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return keys.persist(entity)
        .map(saved -> new CreatedKey(saved.id, saved.name, saved.prefix, saved.createdAt, key));
  }

  /**
   * How many keys of the tenant work, its row locked until the transaction ends: two requests at
   * once can neither both pass the cap nor both revoke one of its last two keys.
   */
  private Uni<Long> activeCounted(UUID tenantId) {
    return tenants
        .findById(tenantId, LockModeType.PESSIMISTIC_WRITE)
        .flatMap(locked -> keys.activeOf(tenantId));
  }

  public Uni<List<KeyView>> list(UUID tenantId) {
    return keys.ofTenant(tenantId).map(all -> all.stream().map(KeyView::of).toList());
  }

  /**
   * Revokes one of the tenant's keys (again: no change); it stops working on this replica at once
   * and on the others within {@code cascade.auth.key-cache-ttl}.
   *
   * @param keepOne refuse to revoke the tenant's last active key (self-service: it would lock the
   *     tenant out)
   */
  public Uni<KeyView> revoke(UUID tenantId, UUID keyId, boolean keepOne) {
    return keys.findById(keyId)
        .flatMap(
            key -> {
              if (key == null || !key.tenantId.equals(tenantId)) {
                throw ApiException.notFound("No key " + keyId + " for this tenant.");
              }
              if (key.revokedAt != null) {
                return Uni.createFrom().item(KeyView.of(key));
              }
              Uni<Long> active = keepOne ? activeCounted(tenantId) : Uni.createFrom().item(2L);
              return active.map(
                  count -> {
                    if (count <= 1) {
                      throw ApiException.conflict(
                          "last-key",
                          "This is the tenant's last active key: create another one first.");
                    }
                    key.revokedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    verifier.forget(key.keyHash);
                    return KeyView.of(key);
                  });
            });
  }
}
