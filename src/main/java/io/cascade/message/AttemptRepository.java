package io.cascade.message;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Stores attempts. */
@ApplicationScoped
public class AttemptRepository implements PanacheRepositoryBase<AttemptEntity, UUID> {

  public Uni<List<AttemptEntity>> forMessages(Collection<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return list("messageId in ?1 order by startedAt, id", messageIds);
  }

  /** Route steps of the message that a provider rejected for good. */
  public Uni<Set<Integer>> rejectedSteps(UUID messageId) {
    return list("messageId = ?1 and status = ?2", messageId, AttemptStatus.REJECTED)
        .map(
            rejected -> rejected.stream().map(attempt -> attempt.step).collect(Collectors.toSet()));
  }

  public Uni<List<AttemptEntity>> inFlight(UUID messageId) {
    return list("messageId = ?1 and status = ?2", messageId, AttemptStatus.SENDING);
  }
}
