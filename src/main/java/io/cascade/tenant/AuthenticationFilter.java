package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API call: {@code /v1/*} with a tenant's API key, {@code /admin/*} with the
 * admin token. Failures are answered 401 before any resource code runs.
 */
public class AuthenticationFilter {

  private static final String BEARER = "Bearer ";

  private final TenantRepository tenants;
  private final CurrentTenant currentTenant;
  private final AdminConfig adminConfig;
  private final KnownKeys knownKeys;

  AuthenticationFilter(
      TenantRepository tenants,
      CurrentTenant currentTenant,
      AdminConfig adminConfig,
      KnownKeys knownKeys) {
    this.tenants = tenants;
    this.currentTenant = currentTenant;
    this.adminConfig = adminConfig;
    this.knownKeys = knownKeys;
  }

  @ServerRequestFilter
  public Uni<Void> authenticate(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (path.startsWith("/admin/")) {
      checkAdminToken(bearerToken(request));
      return Uni.createFrom().voidItem();
    }
    if (path.startsWith("/v1/")) {
      String key = bearerToken(request);
      if (key == null) {
        throw ApiException.unauthorized(
            "Send the tenant API key as 'Authorization: Bearer <key>'.");
      }
      String keyHash = ApiKeys.hash(key);
      UUID cached = knownKeys.tenantOf(keyHash);
      if (cached != null) {
        currentTenant.set(cached);
        return Uni.createFrom().voidItem();
      }
      return Panache.withSession(() -> tenants.findByApiKeyHash(keyHash))
          .map(
              tenant -> {
                if (tenant == null) {
                  throw ApiException.unauthorized("The API key is not valid.");
                }
                knownKeys.remember(keyHash, tenant.id);
                currentTenant.set(tenant.id);
                return null;
              });
    }
    return Uni.createFrom().voidItem();
  }

  private void checkAdminToken(String presented) {
    String expected = adminConfig.token().filter(t -> !t.isBlank()).orElse(null);
    if (expected == null) {
      throw ApiException.unauthorized(
          "The admin API is disabled: set CASCADE_ADMIN_TOKEN (cascade.admin.token) to enable it.");
    }
    if (presented == null
        || !MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8),
            presented.getBytes(StandardCharsets.UTF_8))) {
      throw ApiException.unauthorized("Send the admin token as 'Authorization: Bearer <token>'.");
    }
  }

  private static String bearerToken(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }
}
