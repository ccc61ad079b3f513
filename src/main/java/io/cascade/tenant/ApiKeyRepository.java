package io.cascade.tenant;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Stores API keys; requests are checked by {@link KeyVerifier}, which reads them directly. */
@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKeyEntity, UUID> {

  Uni<List<ApiKeyEntity>> ofTenant(UUID tenantId) {
    return list("tenantId = ?1 order by createdAt, id", tenantId);
  }

  Uni<Long> activeOf(UUID tenantId) {
    return count("tenantId = ?1 and revokedAt is null", tenantId);
  }
}
