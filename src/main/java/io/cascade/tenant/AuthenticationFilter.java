package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API call: {@code /v1/*} with a tenant's API key, {@code /admin/*} with the
 * admin token. Failures are answered 401 before any resource code runs.
 */
public class AuthenticationFilter {

  private static final String BEARER = "Bearer ";

  private final Credentials credentials;
  private final CurrentTenant currentTenant;

  AuthenticationFilter(Credentials credentials, CurrentTenant currentTenant) {
    this.credentials = credentials;
    this.currentTenant = currentTenant;
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
      return credentials
          .tenantOf(key)
          .map(
              tenantId -> {
                currentTenant.set(tenantId);
                return null;
              });
    }
    return Uni.createFrom().voidItem();
  }

  private void checkAdminToken(String presented) {
    if (!credentials.adminEnabled()) {
      throw ApiException.unauthorized(
          "The admin API is disabled: set CASCADE_ADMIN_TOKEN (cascade.admin.token) to enable it.");
    }
    if (!credentials.isAdminToken(presented)) {
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
