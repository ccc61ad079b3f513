package io.cascade.console;

import io.cascade.api.Digests;
import io.cascade.console.ConsoleSession.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * The console's sign-in sessions, owner of the {@code console_session} table. The browser holds a
 * random token in a cookie; the table holds its hash, the role, the tenant and the CSRF token.
 */
@ApplicationScoped
public class ConsoleSessions {

  private static final String OPEN =
      "INSERT INTO console_session (token_hash, role, tenant_id, csrf_token, created_at,"
          + " expires_at, last_seen_at) VALUES ($1, $2, $3, $4, now(), now() + $5 * interval '1"
          + " second', now())";
  private static final String FORGET_EXPIRED =
      "DELETE FROM console_session WHERE expires_at < now() OR last_seen_at < now() - $1 *"
          + " interval '1 second'";
  // The idle check is in the query, so a stale session is refused on any replica; last_seen_at
  // is written at most once a minute, not on every call of a live page.
  private static final String FIND =
      "UPDATE console_session SET last_seen_at = CASE WHEN last_seen_at < now() - interval '1"
          + " minute' THEN now() ELSE last_seen_at END WHERE token_hash = $1 AND expires_at > now()"
          + " AND last_seen_at > now() - $2 * interval '1 second' RETURNING role, tenant_id,"
          + " csrf_token";
  private static final String CLOSE = "DELETE FROM console_session WHERE token_hash = $1";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new session and the token for its cookie (never stored). */
  public record Opened(String token, ConsoleSession session) {}

  private final Pool database;
  private final ConsoleConfig config;

  ConsoleSessions(Pool database, ConsoleConfig config) {
    this.database = database;
    this.config = config;
  }

  /** Signs in: a new session for the role (and tenant), and old sessions of anyone swept away. */
  public Uni<Opened> open(Role role, UUID tenantId) {
    String token = randomToken();
    ConsoleSession session = new ConsoleSession(role, tenantId, randomToken());
    return database
        .preparedQuery(FORGET_EXPIRED)
        .execute(Tuple.of(config.idleTimeout().toSeconds()))
        .flatMap(
            swept ->
                database
                    .preparedQuery(OPEN)
                    .execute(
                        Tuple.of(
                            Digests.sha256Hex(token),
                            role.name(),
                            tenantId,
                            session.csrfToken(),
                            config.sessionTtl().toSeconds())))
        .replaceWith(new Opened(token, session));
  }

  /** The live session of a cookie's token, or null when there is none (expired, idle, closed). */
  public Uni<ConsoleSession> find(String token) {
    if (token == null || token.isBlank() || token.length() > 64) {
      return Uni.createFrom().nullItem();
    }
    return database
        .preparedQuery(FIND)
        .execute(Tuple.of(Digests.sha256Hex(token), config.idleTimeout().toSeconds()))
        .map(ConsoleSessions::first);
  }

  /** Signs out: the session ends on every replica. */
  public Uni<Void> close(String token) {
    return database
        .preparedQuery(CLOSE)
        .execute(Tuple.of(Digests.sha256Hex(token)))
        .replaceWithVoid();
  }

  private static ConsoleSession first(RowSet<Row> rows) {
    if (!rows.iterator().hasNext()) {
      return null;
    }
    Row row = rows.iterator().next();
    return new ConsoleSession(
        Role.valueOf(row.getString("role")), row.getUUID("tenant_id"), row.getString("csrf_token"));
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
