package io.cascade.tenant;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Stores tenants. */
@ApplicationScoped
public class TenantRepository implements PanacheRepositoryBase<TenantEntity, UUID> {

  public Uni<TenantEntity> findByApiKeyHash(String apiKeyHash) {
    return find("apiKeyHash", apiKeyHash).firstResult();
  }
}
