package io.cascade.webhook;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Records webhook events in the transaction of the status change that causes them (a transactional
 * outbox: what is committed is delivered, even across a restart). An event is recorded only for a
 * tenant with a webhook (its secret signs every delivery); the URL is resolved now: the message's
 * {@code callbackUrl}, else the tenant's. The event's sequence comes from the message row,
 * incremented by the same statement, so the row lock orders concurrent events.
 */
@ApplicationScoped
public class WebhookEvents {

  /** What happened to a message; {@link #id()} is the event's {@code type}. */
  public enum Type {
    SENT("message.sent"),
    DELIVERED("message.delivered"),
    READ("message.read"),
    FAILOVER("message.failover"),
    FAILED("message.failed"),
    EXPIRED("message.expired");

    private final String id;

    Type(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  private static final String RECORD =
      "WITH m AS (UPDATE message SET event_sequence = event_sequence + 1 WHERE id = $1"
          + " AND EXISTS (SELECT 1 FROM tenant_webhook w WHERE w.tenant_id = message.tenant_id)"
          + " RETURNING id, tenant_id, reference, callback_url, event_sequence) "
          + insertFor("$2", "CAST($3 AS text)");
  // Hibernate's native queries take ?n where the SQL client takes $n.
  private static final String RECORD_IN_SESSION = RECORD.replaceAll("\\$(\\d)", "?$1");
  private static final String HAS_WEBHOOK =
      "SELECT EXISTS (SELECT 1 FROM tenant_webhook WHERE tenant_id = ?1)";

  /**
   * An INSERT of one event of type {@code type} with data {@code data} (SQL expressions) per row of
   * the common table expression {@code m}, which must name the message rows with their {@code id,
   * tenant_id, reference, callback_url} and already incremented {@code event_sequence}.
   */
  public static String insertFor(String type, String data) {
    return "INSERT INTO webhook_event (id, message_id, tenant_id, type, sequence, url, body,"
        + " created_at, next_attempt_at)"
        + " SELECT e.id, e.message_id, e.tenant_id, e.type, e.sequence, e.url,"
        + " CAST(json_build_object('id', e.id, 'type', e.type, 'createdAt',"
        + " to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        + " 'messageId', e.message_id, 'reference', e.reference, 'sequence', e.sequence,"
        + " 'data', e.data) AS text), e.created_at, e.created_at"
        + " FROM (SELECT gen_random_uuid() AS id, m.id AS message_id, m.tenant_id,"
        + " CAST("
        + type
        + " AS varchar) AS type, m.event_sequence AS sequence,"
        + " COALESCE(m.callback_url, w.url) AS url, m.reference, CAST("
        + data
        + " AS json) AS data, now() AS created_at"
        + " FROM m JOIN tenant_webhook w ON w.tenant_id = m.tenant_id) e";
  }

  /**
   * Whether events of the tenant's messages are recorded, i.e. it has a webhook, in the current
   * Hibernate Reactive session.
   */
  public Uni<Boolean> recordedFor(UUID tenantId) {
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery(HAS_WEBHOOK, Boolean.class)
                    .setParameter(1, tenantId)
                    .getSingleResult());
  }

  /** Records an event in the current Hibernate Reactive transaction. */
  public Uni<Void> record(UUID messageId, Type type, JsonObject data) {
    return Panache.getSession()
        .flatMap(
            session ->
                session
                    .createNativeQuery(RECORD_IN_SESSION)
                    .setParameter(1, messageId)
                    .setParameter(2, type.id())
                    .setParameter(3, data.encode())
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Records an event in the transaction of {@code connection}. */
  public Uni<Void> record(SqlConnection connection, UUID messageId, Type type, JsonObject data) {
    return connection
        .preparedQuery(RECORD)
        .execute(Tuple.of(messageId, type.id(), data.encode()))
        .replaceWithVoid();
  }
}
