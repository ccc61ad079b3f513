package io.cascade.console;

import io.cascade.api.ApiException;
import io.cascade.api.Problem;
import io.cascade.console.ConsoleSession.Role;
import io.cascade.tenant.Credentials;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Console sign-in and sign-out. The session lives on the server; the browser holds its token in an
 * HttpOnly cookie only, and the page keeps the CSRF token in memory (it asks for it again after a
 * reload), never in the browser's storage.
 */
@Path("/console/api/session")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Console", description = "The console's own endpoints (cookie session, CSRF header)")
public class ConsoleSessionResource {

  /** What signs in: a tenant's API key, or the operator (admin) token; exactly one. */
  public record SignIn(String apiKey, String operatorToken) {}

  /** The signed-in user, and the token the page sends in {@value ConsoleGuard#CSRF_HEADER}. */
  @Schema(name = "ConsoleSession")
  public record SessionView(Role role, UUID tenantId, String csrfToken) {
    static SessionView of(ConsoleSession session) {
      return new SessionView(session.role(), session.tenantId(), session.csrfToken());
    }
  }

  private final ConsoleSessions sessions;
  private final Credentials credentials;
  private final CurrentConsole current;
  private final ConsoleConfig config;

  ConsoleSessionResource(
      ConsoleSessions sessions,
      Credentials credentials,
      CurrentConsole current,
      ConsoleConfig config) {
    this.sessions = sessions;
    this.credentials = credentials;
    this.current = current;
    this.config = config;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Sign in with an API key (tenant) or the operator token")
  public Uni<Response> signIn(SignIn signIn) {
    boolean key = signIn != null && present(signIn.apiKey());
    boolean operator = signIn != null && present(signIn.operatorToken());
    if (key == operator) {
      throw ApiException.invalidFields(
          List.of(
              new Problem.FieldError("apiKey", "give an API key or an operator token, not both"),
              new Problem.FieldError(
                  "operatorToken", "give an API key or an operator token, not both")));
    }
    Uni<ConsoleSessions.Opened> opened;
    if (key) {
      opened =
          credentials
              .tenantOf(signIn.apiKey().trim())
              .flatMap(tenantId -> sessions.open(Role.TENANT, tenantId));
    } else {
      if (!credentials.adminEnabled()) {
        throw ApiException.unauthorized(
            "Operator sign-in is disabled: set CASCADE_ADMIN_TOKEN (cascade.admin.token).");
      }
      if (!credentials.isAdminToken(signIn.operatorToken().trim())) {
        throw ApiException.unauthorized("The operator token is not valid.");
      }
      opened = sessions.open(Role.OPERATOR, null);
    }
    return opened.map(
        o ->
            Response.status(Response.Status.CREATED)
                .cookie(cookie(o.token(), (int) config.sessionTtl().toSeconds()))
                .entity(SessionView.of(o.session()))
                .build());
  }

  @GET
  @Operation(summary = "The signed-in user and the CSRF token (after a page reload)")
  public SessionView whoAmI() {
    return SessionView.of(current.session());
  }

  @DELETE
  @Operation(summary = "Sign out: the session ends on every replica")
  public Uni<Response> signOut() {
    return sessions
        .close(current.token())
        .map(ignored -> Response.noContent().cookie(cookie("", 0)).build());
  }

  private NewCookie cookie(String value, int maxAgeSeconds) {
    return new NewCookie.Builder(ConsoleGuard.COOKIE)
        .value(value)
        .path("/console")
        .httpOnly(true)
        .secure(config.secureCookie())
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge(maxAgeSeconds)
        .build();
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
