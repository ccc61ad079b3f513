package io.cascade.console;

import java.util.UUID;

/**
 * A signed-in console user: a tenant (its own data only) or an operator (the whole service).
 *
 * @param csrfToken sent back by the page in {@value ConsoleGuard#CSRF_HEADER} on every change
 */
public record ConsoleSession(Role role, UUID tenantId, String csrfToken) {

  /** Who signed in. */
  public enum Role {
    TENANT,
    OPERATOR
  }
}
