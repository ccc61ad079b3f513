package io.cascade.console;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Finds a tenant's messages for the console, newest first, read only. Every search is a range of
 * the {@code (tenant_id, id)} index: ids are UUIDv7, so a time range is an id range.
 */
@ApplicationScoped
public class MessageSearch {

  /** What to look for; null fields do not filter. */
  public record Criteria(
      UUID id,
      String reference,
      String recipient,
      String status,
      String priority,
      Instant from,
      Instant until,
      UUID before,
      int limit) {}

  /** One message found. */
  public record Found(
      UUID id,
      String status,
      String priority,
      String reference,
      List<Object> route,
      Instant createdAt,
      Instant updatedAt) {}

  /** A page of messages, and the cursor of the next one (null: no more). */
  public record Page(List<Found> items, String nextCursor) {}

  private final Pool database;

  MessageSearch(Pool database) {
    this.database = database;
  }

  public Uni<Page> find(UUID tenantId, Criteria criteria) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, status, priority, reference, route, created_at, updated_at FROM message"
                + " WHERE tenant_id = $1");
    List<Object> args = new ArrayList<>();
    args.add(tenantId);
    if (criteria.id() != null) {
      args.add(criteria.id());
      sql.append(" AND id = $").append(args.size());
    }
    if (criteria.reference() != null) {
      args.add(criteria.reference());
      sql.append(" AND reference = $").append(args.size());
    }
    if (criteria.recipient() != null) {
      // A range of message_recipient's key (tenant, recipient, message): as many rows as the
      // recipient has messages, however many the tenant has.
      args.add(criteria.recipient());
      sql.append(
              " AND id IN (SELECT message_id FROM message_recipient WHERE tenant_id = $1"
                  + " AND recipient = $")
          .append(args.size())
          .append(")");
    }
    if (criteria.status() != null) {
      args.add(criteria.status().toUpperCase(Locale.ROOT));
      sql.append(" AND status = $").append(args.size());
    }
    if (criteria.priority() != null) {
      args.add(criteria.priority().toUpperCase(Locale.ROOT));
      sql.append(" AND priority = $").append(args.size());
    }
    if (criteria.from() != null) {
      args.add(TenantFigures.firstIdAt(criteria.from()));
      sql.append(" AND id >= $").append(args.size());
    }
    if (criteria.until() != null) {
      args.add(TenantFigures.firstIdAt(criteria.until()));
      sql.append(" AND id < $").append(args.size());
    }
    if (criteria.before() != null) {
      args.add(criteria.before());
      sql.append(" AND id < $").append(args.size());
    }
    args.add(criteria.limit() + 1);
    sql.append(" ORDER BY id DESC LIMIT $").append(args.size());
    return database
        .preparedQuery(sql.toString())
        .execute(Tuple.from(args))
        .map(
            rows -> {
              List<Found> found = new ArrayList<>();
              for (Row row : rows) {
                found.add(
                    new Found(
                        row.getUUID("id"),
                        row.getString("status").toLowerCase(Locale.ROOT),
                        row.getString("priority").toLowerCase(Locale.ROOT),
                        row.getString("reference"),
                        new JsonArray(row.getString("route")).getList(),
                        row.getOffsetDateTime("created_at").toInstant(),
                        row.getOffsetDateTime("updated_at").toInstant()));
              }
              if (found.size() <= criteria.limit()) {
                return new Page(found, null);
              }
              List<Found> page = found.subList(0, criteria.limit());
              return new Page(List.copyOf(page), page.get(page.size() - 1).id().toString());
            });
  }
}
