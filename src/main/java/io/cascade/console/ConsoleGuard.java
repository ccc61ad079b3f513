package io.cascade.console;

import io.cascade.api.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets console API calls through only with a live session cookie, and changes only with the
 * session's CSRF token in a header and, when the browser names one, the console's own origin.
 * Signing in ({@code POST /console/api/session}) is the one call without a session.
 */
public class ConsoleGuard {

  /** The cookie holding the session token: HttpOnly, SameSite=Strict. */
  public static final String COOKIE = "cascade_console";

  /** The header the page sends its CSRF token in. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private static final String API = "/console/api/";
  private static final Set<String> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD);

  private final ConsoleSessions sessions;
  private final CurrentConsole current;

  ConsoleGuard(ConsoleSessions sessions, CurrentConsole current) {
    this.sessions = sessions;
    this.current = current;
  }

  @ServerRequestFilter
  public Uni<Void> guard(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith(API)) {
      return Uni.createFrom().voidItem();
    }
    boolean safe = SAFE.contains(request.getMethod());
    if (!safe) {
      checkOrigin(request);
    }
    if (path.equals(API + "session") && request.getMethod().equals(HttpMethod.POST)) {
      return Uni.createFrom().voidItem(); // signing in
    }
    Cookie cookie = request.getCookies().get(COOKIE);
    String token = cookie == null ? null : cookie.getValue();
    return sessions
        .find(token)
        .map(
            session -> {
              if (session == null) {
                throw ApiException.unauthorized("Sign in to the console first.");
              }
              if (!safe && !sameToken(session.csrfToken(), request.getHeaderString(CSRF_HEADER))) {
                throw ApiException.forbidden(
                    "csrf", "Send the session's CSRF token in the " + CSRF_HEADER + " header.");
              }
              current.set(session, token);
              return null;
            });
  }

  /** A change sent by a page of another site is refused, whatever cookies it carries. */
  private static void checkOrigin(ContainerRequestContext request) {
    String origin = request.getHeaderString("Origin");
    if (origin == null) {
      return; // not a browser's cross-site request; the CSRF token still has to match
    }
    String host = request.getHeaderString(HttpHeaders.HOST);
    String originHost;
    try {
      URI uri = URI.create(origin);
      originHost = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      originHost = null;
    }
    if (host == null || !host.equalsIgnoreCase(originHost)) {
      throw ApiException.forbidden("cross-origin", "Console changes come from the console only.");
    }
  }

  private static boolean sameToken(String expected, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
