package io.cascade.message;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Reads messages back for their tenant, with their attempts and the effective route. */
@ApplicationScoped
public class MessageService {

  private final MessageRepository messages;
  private final AttemptRepository attempts;
  private final StepsConfig steps;

  MessageService(MessageRepository messages, AttemptRepository attempts, StepsConfig steps) {
    this.messages = messages;
    this.attempts = attempts;
    this.steps = steps;
  }

  /** The tenant's message, or null when it does not exist or belongs to another tenant. */
  public Uni<MessageView> find(UUID tenantId, UUID id) {
    return Panache.withSession(
        () ->
            messages
                .findForTenant(tenantId, id)
                .flatMap(message -> message == null ? Uni.createFrom().nullItem() : view(message)));
  }

  /** A page of the tenant's messages, newest first, and the cursor of the next page. */
  public Uni<MessagePage> list(
      UUID tenantId, MessageStatus status, String reference, UUID cursor, int limit) {
    return Panache.withSession(
        () ->
            messages
                .page(tenantId, status, reference, cursor, limit + 1)
                .flatMap(
                    page -> {
                      List<MessageEntity> items =
                          page.size() > limit ? page.subList(0, limit) : page;
                      String next = page.size() > limit ? items.get(limit - 1).id.toString() : null;
                      return views(items).map(views -> new MessagePage(views, next));
                    }));
  }

  private Uni<MessageView> view(MessageEntity message) {
    return attempts
        .forMessages(List.of(message.id))
        .map(list -> MessageView.of(message, list, effectiveRoute(message)));
  }

  private Uni<List<MessageView>> views(List<MessageEntity> page) {
    return attempts
        .forMessages(page.stream().map(m -> m.id).toList())
        .map(
            all -> {
              Map<UUID, List<AttemptEntity>> byMessage =
                  all.stream().collect(Collectors.groupingBy(a -> a.messageId));
              return page.stream()
                  .map(
                      m ->
                          MessageView.of(
                              m, byMessage.getOrDefault(m.id, List.of()), effectiveRoute(m)))
                  .toList();
            });
  }

  private List<RouteStep> effectiveRoute(MessageEntity message) {
    return message.route.stream().map(steps::effective).toList();
  }
}
