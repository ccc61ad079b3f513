package io.cascade.tenant;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Stores tenants. */
@ApplicationScoped
public class TenantRepository implements PanacheRepositoryBase<TenantEntity, UUID> {

  /** Up to {@code limit} tenants created after the one with id {@code after} (null: the first). */
  Uni<List<TenantEntity>> page(UUID after, int limit) {
    String order = " order by createdAt, id";
    if (after == null) {
      return find("from TenantEntity" + order).page(0, limit).list();
    }
    return findById(after)
        .flatMap(
            cursor ->
                cursor == null
                    ? Uni.createFrom().item(List.<TenantEntity>of())
                    : find(
                            "createdAt > ?1 or (createdAt = ?1 and id > ?2)" + order,
                            cursor.createdAt,
                            cursor.id)
                        .page(0, limit)
                        .list());
  }
}
