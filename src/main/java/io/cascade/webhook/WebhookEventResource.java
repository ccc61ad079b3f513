package io.cascade.webhook;

import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.Problem;
import io.cascade.tenant.CurrentTenant;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The webhook events of one message and how their delivery stands. */
@Path("/v1/messages/{id}/events")
@Tag(name = "Webhooks")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(
    responseCode = "401",
    description = "Missing or invalid API key",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class WebhookEventResource {

  private static final String MESSAGE = "SELECT 1 FROM message WHERE id = $1 AND tenant_id = $2";
  private static final String EVENTS =
      "SELECT id, type, sequence, created_at, body, state, attempts, last_error, delivered_at,"
          + " next_attempt_at FROM webhook_event WHERE message_id = $1 ORDER BY sequence";

  /** One event as the API shows it. */
  @Schema(name = "WebhookEvent")
  public record EventView(
      UUID id,
      String type,
      int sequence,
      Instant createdAt,
      @Schema(description = "The event's data, as POSTed") Map<String, Object> data,
      Delivery delivery) {}

  /** How delivering an event stands. */
  @Schema(name = "WebhookDelivery")
  public record Delivery(
      @Schema(enumeration = {"pending", "delivered", "failed"}) String state,
      int attempts,
      String lastError,
      Instant deliveredAt,
      Instant nextAttemptAt) {}

  private final Pool database;
  private final CurrentTenant tenant;

  WebhookEventResource(Pool database, CurrentTenant tenant) {
    this.database = database;
    this.tenant = tenant;
  }

  @GET
  @Operation(summary = "List a message's webhook events in sequence order")
  @APIResponse(
      responseCode = "200",
      content =
          @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = EventView.class)))
  @APIResponse(
      responseCode = "404",
      description = "No such message for this tenant",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<List<EventView>> list(@PathParam("id") String id) {
    UUID messageId = parse(id);
    return database
        .preparedQuery(MESSAGE)
        .execute(Tuple.of(messageId, tenant.id()))
        .flatMap(
            found -> {
              if (found.rowCount() == 0) {
                throw notFound(id);
              }
              return database.preparedQuery(EVENTS).execute(Tuple.of(messageId));
            })
        .map(
            rows -> {
              List<EventView> events = new ArrayList<>();
              for (Row row : rows) {
                events.add(view(row));
              }
              return events;
            });
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

  private static UUID parse(String id) {
    return Params.uuid(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("No message " + id + " for this tenant.");
  }
}
