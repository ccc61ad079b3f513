package io.cascade.webhook;

import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.Problem;
import io.cascade.tenant.CurrentTenant;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
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

  private final WebhookEvents events;
  private final CurrentTenant tenant;

  WebhookEventResource(WebhookEvents events, CurrentTenant tenant) {
    this.events = events;
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
    return events
        .of(tenant.id(), parse(id))
        .map(
            found -> {
              if (found == null) {
                throw notFound(id);
              }
              return found;
            });
  }

  private static UUID parse(String id) {
    return Params.uuid(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("No message " + id + " for this tenant.");
  }
}
