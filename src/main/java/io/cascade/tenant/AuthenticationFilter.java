package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API call: {@code /v1/*} with a tenant's API key, {@code /admin/*} with the
 * admin token. Failures are answered 401 before any resource code runs.
 */
public class AuthenticationFilter {

  private static final String BEARER = "Bearer ";

  private final KeyVerifier keys;
  private final TenantAccess access;
  private final CurrentTenant currentTenant;
  private final AdminConfig adminConfig;

  AuthenticationFilter(
      KeyVerifier keys, TenantAccess access, CurrentTenant currentTenant, AdminConfig adminConfig) {
    this.keys = keys;
    this.access = access;
    this.currentTenant = currentTenant;
    this.adminConfig = adminConfig;
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
      return keys.tenantOf(key)
          .map(
              tenantId -> {
                if (access.isDisabled(tenantId)) {
                  throw ApiException.forbidden(
                      "tenant-disabled",
                      "This tenant is disabled: its calls are refused and its messages held"
                          + " until an operator enables it.");
                }
                currentTenant.set(tenantId);
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
