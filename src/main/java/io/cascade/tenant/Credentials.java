package io.cascade.tenant;

import io.cascade.api.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/** Checks the credentials the API and the console accept: tenant API keys and the admin token. */
@ApplicationScoped
public class Credentials {

  private final KeyVerifier keys;
  private final TenantAccess access;
  private final AdminConfig adminConfig;

  Credentials(KeyVerifier keys, TenantAccess access, AdminConfig adminConfig) {
    this.keys = keys;
    this.access = access;
    this.adminConfig = adminConfig;
  }

  /**
   * The enabled tenant the API key belongs to; fails with a 401 for an unknown key, a 403 for a
   * disabled tenant (a 503 when too many lookups wait).
   */
  public Uni<UUID> tenantOf(String apiKey) {
    return keys.tenantOf(apiKey)
        .map(
            tenantId -> {
              if (access.isDisabled(tenantId)) {
                throw ApiException.forbidden(
                    "tenant-disabled",
                    "This tenant is disabled: its calls are refused and its messages held"
                        + " until an operator enables it.");
              }
              return tenantId;
            });
  }

  /** Whether an admin token is configured at all (unset disables the admin API and operators). */
  public boolean adminEnabled() {
    return adminConfig.token().filter(t -> !t.isBlank()).isPresent();
  }

  /** Whether {@code presented} is the admin token; compared in constant time. */
  public boolean isAdminToken(String presented) {
    String expected = adminConfig.token().filter(t -> !t.isBlank()).orElse(null);
    return expected != null
        && presented != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
