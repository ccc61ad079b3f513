package io.cascade.message;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Reads attempts for the API (the store writes them). */
@ApplicationScoped
public class AttemptRepository implements PanacheRepositoryBase<AttemptEntity, UUID> {

  public Uni<List<AttemptEntity>> forMessages(Collection<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return list("messageId in ?1 order by startedAt, id", messageIds);
  }
}
