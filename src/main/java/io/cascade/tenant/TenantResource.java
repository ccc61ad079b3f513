package io.cascade.tenant;

import io.cascade.api.PlainText;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Admin API that creates tenants and hands out their API key, once. */
@Path("/admin/v1/tenants")
@Tag(name = "Admin")
@SecurityRequirement(name = "adminToken")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {

  /** Body of a tenant creation. */
  public record NewTenant(@NotBlank @Size(max = 100) @PlainText String name) {}

  /** A created tenant; {@code apiKey} is shown only in this answer. */
  public record CreatedTenant(UUID id, String name, String apiKey) {}

  private final TenantRepository tenants;

  TenantResource(TenantRepository tenants) {
    this.tenants = tenants;
  }

  @POST
  @WithTransaction
  @Operation(summary = "Create a tenant and its API key")
  @APIResponse(
      responseCode = "201",
      description = "Created; the API key is not shown again",
      content = @Content(schema = @Schema(implementation = CreatedTenant.class)))
  @APIResponse(responseCode = "400", description = "Invalid name")
  @APIResponse(responseCode = "401", description = "Missing or wrong admin token")
  public Uni<Response> create(@NotNull @Valid NewTenant request) {
    String apiKey = ApiKeys.newKey();
    TenantEntity tenant = new TenantEntity();
    tenant.id = UUID.randomUUID();
    tenant.name = request.name().trim();
    tenant.apiKeyHash = ApiKeys.hash(apiKey);
    tenant.createdAt = Instant.now();
    return tenants
        .persist(tenant)
        .map(
            saved ->
                Response.created(URI.create("/admin/v1/tenants/" + saved.id))
                    .entity(new CreatedTenant(saved.id, saved.name, apiKey))
                    .build());
  }
}
