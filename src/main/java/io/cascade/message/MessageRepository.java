package io.cascade.message;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Reads messages for the API (the store writes them). */
@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<MessageEntity, UUID> {

  public Uni<MessageEntity> findForTenant(UUID tenantId, UUID id) {
    return find("id = ?1 and tenantId = ?2", id, tenantId).firstResult();
  }

  /**
   * One page of a tenant's messages, newest first; ids are UUIDv7, so id order is creation order
   * and the last id of a page is the cursor of the next.
   */
  public Uni<List<MessageEntity>> page(
      UUID tenantId, MessageStatus status, String reference, UUID before, int limit) {
    StringBuilder query = new StringBuilder("tenantId = :tenant");
    Parameters params = Parameters.with("tenant", tenantId);
    if (status != null) {
      query.append(" and status = :status");
      params.and("status", status);
    }
    if (reference != null) {
      query.append(" and reference = :reference");
      params.and("reference", reference);
    }
    if (before != null) {
      query.append(" and id < :before");
      params.and("before", before);
    }
    query.append(" order by id desc");
    return find(query.toString(), params).range(0, limit - 1).list();
  }
}
