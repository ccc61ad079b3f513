package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.PlainText;
import io.cascade.api.Problem;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Admin API: creates tenants (with a first API key, shown once), lists them, disables and enables
 * them, and manages any tenant's keys.
 */
@Path("/admin/v1/tenants")
@Tag(name = "Admin")
@SecurityRequirement(name = "adminToken")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or wrong admin token")
public class TenantResource {

  private static final int MAX_PAGE_SIZE = 100;

  /** Body of a tenant creation. */
  public record NewTenant(@NotBlank @Size(max = 100) @PlainText String name) {}

  /** A created tenant; {@code apiKey} is shown only in this answer. */
  public record CreatedTenant(UUID id, String name, String apiKey) {}

  /** A tenant as the admin sees it. */
  public record TenantView(
      UUID id,
      String name,
      Instant createdAt,
      @Schema(description = "Calls refused with 403 and messages held while true") boolean disabled,
      Instant disabledAt,
      @Schema(description = "Its own rate on POST /v1/messages; null: the service's default")
          Integer messagesPerSecond,
      @Schema(description = "Its messages a UTC day; null: no quota") Long dailyQuota) {

    static TenantView of(TenantEntity tenant) {
      return new TenantView(
          tenant.id,
          tenant.name,
          tenant.createdAt,
          tenant.disabledAt != null,
          tenant.disabledAt,
          tenant.messagesPerSecond,
          tenant.dailyQuota);
    }
  }

  /** A tenant's limits; a field left out or null takes the default (rate) or means none (quota). */
  public record Limits(
      @Min(1) @Max(1_000_000) @Schema(description = "1 to 1000000; null: the service's default")
          Integer messagesPerSecond,
      @Min(1) @Schema(description = "At least 1; null: no quota") Long dailyQuota) {}

  /** One page of tenants, oldest first. */
  public record TenantPage(
      List<TenantView> items,
      @Schema(description = "Pass as cursor to get the next page; null on the last page")
          String nextCursor) {}

  private final TenantRepository tenants;
  private final TenantKeys keys;
  private final TenantAccess access;

  TenantResource(TenantRepository tenants, TenantKeys keys, TenantAccess access) {
    this.tenants = tenants;
    this.keys = keys;
    this.access = access;
  }

  @POST
  @WithTransaction
  @Operation(summary = "Create a tenant and its first API key")
  @APIResponse(
      responseCode = "201",
      description = "Created; the API key is not shown again",
      content = @Content(schema = @Schema(implementation = CreatedTenant.class)))
  @APIResponse(responseCode = "400", description = "Invalid name")
  public Uni<Response> create(@NotNull @Valid NewTenant request) {
    TenantEntity tenant = new TenantEntity();
    tenant.id = UUID.randomUUID();
    tenant.name = request.name().trim();
    tenant.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return tenants
        .persist(tenant)
        .flatMap(saved -> keys.firstKey(saved.id, "first key"))
        .map(
            key ->
                Response.created(URI.create("/admin/v1/tenants/" + tenant.id))
                    .entity(new CreatedTenant(tenant.id, tenant.name, key.key()))
                    .build());
  }

  @GET
  @WithSession
  @Operation(summary = "List tenants, oldest first")
  @APIResponse(responseCode = "400", description = "Invalid limit or cursor")
  public Uni<TenantPage> list(
      @Parameter(description = "1-100, default 50") @QueryParam("limit") String limit,
      @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor")
          String cursor) {
    int pageSize = pageSize(limit);
    UUID after = cursor == null ? null : cursorId(cursor);
    return tenants
        .page(after, pageSize + 1)
        .map(
            found -> {
              boolean more = found.size() > pageSize;
              List<TenantView> items = found.stream().limit(pageSize).map(TenantView::of).toList();
              return new TenantPage(
                  items, more ? items.get(items.size() - 1).id().toString() : null);
            });
  }

  @GET
  @Path("/{id}")
  @WithSession
  @Operation(summary = "Read a tenant")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Uni<TenantView> get(@PathParam("id") String id) {
    return find(id).map(TenantView::of);
  }

  @POST
  @Path("/{id}/disable")
  @WithTransaction
  @Operation(
      summary = "Disable a tenant",
      description =
          "Its calls are refused with 403 on every replica within a few seconds; its messages are"
              + " held (no new attempt starts) until it is enabled again or they expire.")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Uni<TenantView> disable(@PathParam("id") String id) {
    return find(id)
        .map(
            tenant -> {
              if (tenant.disabledAt == null) {
                tenant.disabledAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
              }
              access.changed(tenant.id, true);
              return TenantView.of(tenant);
            });
  }

  @POST
  @Path("/{id}/enable")
  @WithTransaction
  @Operation(
      summary = "Enable a disabled tenant",
      description = "Its calls are accepted again and its held messages are sent.")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Uni<TenantView> enable(@PathParam("id") String id) {
    return find(id)
        .map(
            tenant -> {
              tenant.disabledAt = null;
              access.changed(tenant.id, false); // releases the messages this replica holds
              return TenantView.of(tenant);
            });
  }

  @PUT
  @Path("/{id}/limits")
  @Consumes(MediaType.APPLICATION_JSON)
  @WithTransaction
  @Operation(
      summary = "Set a tenant's rate and daily quota",
      description =
          "Counted over all replicas; every replica applies new limits within a few seconds.")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Uni<TenantView> setLimits(@PathParam("id") String id, @NotNull @Valid Limits limits) {
    return find(id)
        .map(
            tenant -> {
              tenant.messagesPerSecond = limits.messagesPerSecond();
              tenant.dailyQuota = limits.dailyQuota();
              access.changed(
                  tenant.id, new TenantLimits(tenant.messagesPerSecond, tenant.dailyQuota));
              return TenantView.of(tenant);
            });
  }

  @GET
  @Path("/{id}/keys")
  @WithSession
  @Operation(summary = "List a tenant's API keys")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Uni<List<TenantKeys.KeyView>> keys(@PathParam("id") String id) {
    return find(id).flatMap(tenant -> keys.list(tenant.id));
  }

  @POST
  @Path("/{id}/keys")
  @WithTransaction
  @Operation(summary = "Create an API key for a tenant (shown once)")
  @APIResponse(
      responseCode = "201",
      content = @Content(schema = @Schema(implementation = TenantKeys.CreatedKey.class)))
  @APIResponse(responseCode = "404", description = "No such tenant")
  @APIResponse(responseCode = "409", description = "The tenant holds the most keys allowed")
  public Uni<Response> createKey(@PathParam("id") String id, @Valid KeyResource.NewKey request) {
    String name = KeyResource.NewKey.nameOf(request);
    return find(id)
        .flatMap(tenant -> keys.create(tenant.id, name))
        .map(
            created ->
                Response.created(URI.create("/admin/v1/tenants/" + id + "/keys/" + created.id()))
                    .entity(created)
                    .build());
  }

  @DELETE
  @Path("/{id}/keys/{keyId}")
  @WithTransaction
  @Operation(summary = "Revoke a tenant's API key (its last one too)")
  @APIResponse(responseCode = "404", description = "No such tenant or key")
  public Uni<TenantKeys.KeyView> revokeKey(
      @PathParam("id") String id, @PathParam("keyId") String keyId) {
    return find(id)
        .flatMap(tenant -> keys.revoke(tenant.id, KeyResource.parseId(keyId, "key"), false));
  }

  private Uni<TenantEntity> find(String id) {
    UUID tenantId = KeyResource.parseId(id, "tenant");
    return tenants
        .findById(tenantId)
        .onItem()
        .ifNull()
        .failWith(() -> ApiException.notFound("No tenant " + id + "."));
  }

  private static int pageSize(String limit) {
    if (limit == null) {
      return 50;
    }
    return Params.pageSize(limit, MAX_PAGE_SIZE)
        .orElseThrow(
            () ->
                ApiException.invalidFields(
                    List.of(
                        new Problem.FieldError(
                            "limit", "must be a number from 1 to " + MAX_PAGE_SIZE))));
  }

  private static UUID cursorId(String cursor) {
    return Params.uuid(cursor)
        .orElseThrow(
            () ->
                ApiException.invalidFields(
                    List.of(
                        new Problem.FieldError(
                            "cursor", "must be a nextCursor from a previous page"))));
  }
}
