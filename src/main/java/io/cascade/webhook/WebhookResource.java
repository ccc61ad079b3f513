package io.cascade.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cascade.api.ApiException;
import io.cascade.api.PlainText;
import io.cascade.api.Problem;
import io.cascade.outbound.TenantUrls;
import io.cascade.tenant.CurrentTenant;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant's webhook: where message events are POSTed, and the secret that signs them. */
@Path("/v1/webhook")
@Tag(name = "Webhooks")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(
    responseCode = "401",
    description = "Missing or invalid API key",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class WebhookResource {

  private static final String UPSERT =
      "INSERT INTO tenant_webhook (tenant_id, url, secret, updated_at) VALUES ($1, $2, $3, now())"
          + " ON CONFLICT (tenant_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,"
          + " updated_at = now()";
  private static final String FIND = "SELECT url FROM tenant_webhook WHERE tenant_id = $1";
  private static final String DELETE = "DELETE FROM tenant_webhook WHERE tenant_id = $1";
  private static final String GIVE_UP_PENDING =
      "UPDATE webhook_event SET state = 'FAILED', last_error = $2, next_attempt_at = NULL"
          + " WHERE tenant_id = $1 AND state = 'PENDING'";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Body of {@code PUT /v1/webhook}. */
  public record WebhookRequest(
      @NotNull
          @WebhookUrl
          @PlainText
          @Schema(
              required = true,
              description = "Absolute https URL (http only where the operator allows it)")
          String url) {}

  /** The webhook as shown; {@code secret} only in the answer to the PUT that made it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Schema(name = "Webhook")
  public record WebhookView(
      String url,
      @Schema(description = "Shared secret signing the deliveries; shown only once")
          String secret) {}

  private final Pool database;
  private final CurrentTenant tenant;
  private final TenantUrls urls;
  private final WebhookSecrets secrets;

  WebhookResource(Pool database, CurrentTenant tenant, TenantUrls urls, WebhookSecrets secrets) {
    this.database = database;
    this.tenant = tenant;
    this.urls = urls;
    this.secrets = secrets;
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Set the webhook URL",
      description = "Stores the URL and answers a new signing secret, shown only here.")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = WebhookView.class)))
  @APIResponse(
      responseCode = "400",
      description = "Invalid URL",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "422",
      description =
          "Not https, or its host does not resolve or resolves to an address that is not public;"
              + " nothing stored",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<WebhookView> put(@NotNull @Valid WebhookRequest request) {
    String secret = newSecret();
    return urls.requireCallable("url", request.url())
        .flatMap(
            cleared ->
                database
                    .preparedQuery(UPSERT)
                    .execute(
                        Tuple.of(tenant.id(), request.url(), secrets.seal(tenant.id(), secret))))
        .map(ignored -> new WebhookView(request.url(), secret));
  }

  @GET
  @Operation(summary = "Read the webhook URL")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = WebhookView.class)))
  @APIResponse(
      responseCode = "404",
      description = "No webhook set",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<WebhookView> get() {
    return database
        .preparedQuery(FIND)
        .execute(Tuple.of(tenant.id()))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw notFound();
              }
              return new WebhookView(rows.iterator().next().getString("url"), null);
            });
  }

  @DELETE
  @Operation(
      summary = "Remove the webhook",
      description =
          "No new events are recorded, not even for messages with a callbackUrl (the secret"
              + " signed them all); pending ones are given up at once. A delivery already under"
              + " way ends as it does.")
  @APIResponse(responseCode = "204", description = "Removed")
  @APIResponse(
      responseCode = "404",
      description = "No webhook set",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<Void> delete() {
    UUID tenantId = tenant.id();
    // In one transaction, so that the pending events go with the secret that would sign them: at
    // once, not when each falls due, and a later PUT brings none of them back.
    return database.withTransaction(
        connection ->
            connection
                .preparedQuery(DELETE)
                .execute(Tuple.of(tenantId))
                .flatMap(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        throw notFound();
                      }
                      return connection
                          .preparedQuery(GIVE_UP_PENDING)
                          .execute(Tuple.of(tenantId, WebhookDeliverer.WEBHOOK_REMOVED));
                    })
                .replaceWithVoid());
  }

  /** {@code whsec_} and 32 random bytes, base64url. */
  private static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static ApiException notFound() {
    return ApiException.notFound("No webhook is set for this tenant.");
  }
}
