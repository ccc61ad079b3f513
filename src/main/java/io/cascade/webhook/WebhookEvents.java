package io.cascade.webhook;

import io.cascade.webhook.WebhookEventResource.Delivery;
import io.cascade.webhook.WebhookEventResource.EventView;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Reads the webhook events of a tenant's message, for the API and the console. */
@ApplicationScoped
public class WebhookEvents {

  private static final String MESSAGE = "SELECT 1 FROM message WHERE id = $1 AND tenant_id = $2";
  private static final String EVENTS =
      "SELECT id, type, sequence, created_at, body, state, attempts, last_error, delivered_at,"
          + " next_attempt_at FROM webhook_event WHERE message_id = $1 ORDER BY sequence";

  private final Pool database;

  WebhookEvents(Pool database) {
    this.database = database;
  }

  /** The message's events in sequence order; null when the tenant has no such message. */
  public Uni<List<EventView>> of(UUID tenantId, UUID messageId) {
    return database
        .preparedQuery(MESSAGE)
        .execute(Tuple.of(messageId, tenantId))
        .flatMap(
            found ->
                found.rowCount() == 0
                    ? Uni.createFrom().<List<EventView>>nullItem()
                    : database
                        .preparedQuery(EVENTS)
                        .execute(Tuple.of(messageId))
                        .map(
                            rows -> {
                              List<EventView> events = new ArrayList<>();
                              for (Row row : rows) {
                                events.add(view(row));
                              }
                              return events;
                            }));
  }

  private static EventView view(Row row) {
    JsonObject data = new JsonObject(row.getString("body")).getJsonObject("data");
    return new EventView(
        row.getUUID("id"),
        row.getString("type"),
        row.getInteger("sequence"),
        instant(row.getOffsetDateTime("created_at")),
        data == null ? Map.of() : data.getMap(),
        new Delivery(
            row.getString("state").toLowerCase(Locale.ROOT),
            row.getInteger("attempts"),
            row.getString("last_error"),
            instant(row.getOffsetDateTime("delivered_at")),
            instant(row.getOffsetDateTime("next_attempt_at"))));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
