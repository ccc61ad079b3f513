package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.PlainText;
import io.cascade.api.Problem;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A tenant's own API keys: rotate one by creating a new key, switching the app over, and revoking
 * the old one. The last active key cannot be revoked here (an operator can).
 */
@Path("/v1/keys")
@Tag(name = "Keys")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(
    responseCode = "401",
    description = "Missing or invalid API key",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class KeyResource {

  /** Body of a key creation; everything is optional. */
  public record NewKey(
      @Size(max = 100) @PlainText @Schema(description = "What the key is for, up to 100 characters")
          String name) {

    /** The name to store for {@code request} (which may be absent): the one given, else "key". */
    static String nameOf(NewKey request) {
      return request == null || request.name == null || request.name.isBlank()
          ? "key"
          : request.name.trim();
    }
  }

  private final TenantKeys keys;
  private final CurrentTenant tenant;

  KeyResource(TenantKeys keys, CurrentTenant tenant) {
    this.keys = keys;
    this.tenant = tenant;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @WithTransaction
  @Operation(summary = "Create an API key (shown once)")
  @APIResponse(
      responseCode = "201",
      content = @Content(schema = @Schema(implementation = TenantKeys.CreatedKey.class)))
  @APIResponse(responseCode = "409", description = "The tenant holds the most keys allowed")
  public Uni<Response> create(@Valid NewKey request) {
    String name = NewKey.nameOf(request);
    return keys.create(tenant.id(), name)
        .map(
            created ->
                Response.created(URI.create("/v1/keys/" + created.id())).entity(created).build());
  }

  @GET
  @WithSession
  @Operation(summary = "List the tenant's API keys, revoked ones included")
  public Uni<List<TenantKeys.KeyView>> list() {
    return keys.list(tenant.id());
  }

  @DELETE
  @Path("/{id}")
  @WithTransaction
  @Operation(summary = "Revoke an API key")
  @APIResponse(responseCode = "200", description = "Revoked (or already revoked)")
  @APIResponse(responseCode = "404", description = "No such key for this tenant")
  @APIResponse(responseCode = "409", description = "The tenant's last active key")
  public Uni<TenantKeys.KeyView> revoke(@PathParam("id") String id) {
    return keys.revoke(tenant.id(), parseId(id, "key"), true);
  }

  /** A path id, or 404: a malformed id names nothing. */
  static UUID parseId(String id, String what) {
    return Params.uuid(id).orElseThrow(() -> ApiException.notFound("No " + what + " " + id + "."));
  }
}
