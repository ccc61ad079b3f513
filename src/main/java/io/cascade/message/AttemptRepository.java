package io.cascade.message;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Multi;
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

  /**
   * Records every id the provider gave the attempt (one per SMS part), in the caller's transaction,
   * so that receipts naming any of them find the attempt.
   */
  public Uni<Void> registerProviderIds(AttemptEntity attempt, List<String> providerMessageIds) {
    if (providerMessageIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return Panache.getSession()
        .flatMap(
            session ->
                Multi.createFrom()
                    .range(0, providerMessageIds.size())
                    .onItem()
                    .transformToUniAndConcatenate(
                        part ->
                            session
                                .createNativeQuery(
                                    "INSERT INTO provider_message (provider,"
                                        + " provider_message_id, attempt_id, part, status,"
                                        + " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON"
                                        + " CONFLICT DO NOTHING")
                                .setParameter(1, attempt.provider)
                                .setParameter(2, providerMessageIds.get(part))
                                .setParameter(3, attempt.id)
                                .setParameter(4, part)
                                .setParameter(5, AttemptStatus.SENT.name())
                                .setParameter(6, attempt.endedAt)
                                .executeUpdate())
                    .collect()
                    .last())
        .replaceWithVoid();
  }

  public Uni<List<AttemptEntity>> inFlight(UUID messageId) {
    return list("messageId = ?1 and status = ?2", messageId, AttemptStatus.SENDING);
  }
}
