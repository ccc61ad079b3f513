package io.cascade.console;

import io.cascade.channel.GuardedProvider;
import io.cascade.channel.ProviderPool;
import io.cascade.dispatch.BrokerConnections;
import io.cascade.dispatch.DispatchPublisher;
import io.cascade.dispatch.QuorumQueueConnector;
import io.cascade.observability.CascadeMetrics;
import io.cascade.observability.Incidents;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * What an operator sees: volumes per tenant, providers, the broker as this replica sees it, and the
 * backlogs with their oldest entries. Read only; every query is a range of an index.
 */
@ApplicationScoped
public class OperatorFigures {

  private static final String RECENT = "WITH recent AS (SELECT * FROM message WHERE id >= $1) ";

  private static final String PER_TENANT =
      RECENT
          + "SELECT m.tenant_id, t.name, count(*) AS accepted,"
          + " count(*) FILTER (WHERE m.status = 'DELIVERED') AS delivered,"
          + " count(*) FILTER (WHERE m.status = 'FAILED') AS failed,"
          + " count(*) FILTER (WHERE m.status = 'EXPIRED') AS expired,"
          + " count(*) FILTER (WHERE m.status IN ('ACCEPTED', 'SENDING', 'WAITING')) AS open"
          + " FROM recent m JOIN tenant t ON t.id = m.tenant_id"
          + " GROUP BY m.tenant_id, t.name ORDER BY accepted DESC LIMIT 100";

  // Attempts started in the last hour, through the BRIN index on started_at: no join.
  private static final String PER_PROVIDER =
      "SELECT lower(a.channel) AS channel, a.provider, count(*) AS attempts,"
          + " count(*) FILTER (WHERE a.status IN ('FAILED', 'REJECTED', 'INTERRUPTED')) AS errors,"
          + " percentile_cont(0.5) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM a.ended_at - a.started_at)) AS p50,"
          + " percentile_cont(0.95) WITHIN GROUP"
          + "  (ORDER BY extract(epoch FROM a.ended_at - a.started_at)) AS p95"
          + " FROM attempt a WHERE a.started_at >= $1 GROUP BY 1, 2";

  private static final String BACKLOGS =
      "SELECT 'outbox due' AS backlog, count(*) AS n, min(publish_due_at) AS oldest FROM message"
          + " WHERE publish_due_at <= now()"
          + " UNION ALL SELECT 'waiting for a route walk', count(*), min(updated_at) FROM message"
          + " WHERE status = 'WAITING'"
          + " UNION ALL SELECT 'awaiting receipt or step deadline', count(*), min(updated_at)"
          + " FROM message WHERE step_due_at IS NOT NULL"
          + " UNION ALL SELECT 'webhook events to deliver', count(*), min(created_at)"
          + " FROM webhook_event WHERE state = 'PENDING' AND next_attempt_at IS NOT NULL";

  /** One tenant's messages of the last hour. */
  public record TenantVolume(
      UUID tenantId,
      String name,
      long accepted,
      long delivered,
      long failed,
      long expired,
      long open) {}

  /** A provider now (circuit, connection) and over the last hour (errors, answer time). */
  public record ProviderHealth(
      String channel,
      String provider,
      String standby,
      String circuit,
      boolean down,
      long attempts,
      long errors,
      Double medianSeconds,
      Double p95Seconds) {}

  /**
   * The broker as this replica sees it: the configured nodes that accept a connection, where its
   * publisher is connected, its consumers, the deliveries it holds unacknowledged, the ready
   * messages of each queue (the broker's count, all replicas), confirm latency over the last
   * minutes and how often the publisher or a consumer lost its connection since start.
   */
  public record Broker(
      boolean publisherConnected,
      String publisherNode,
      int consumers,
      int consumersSubscribed,
      int unacknowledged,
      Map<String, Long> ready,
      List<BrokerConnections.NodeReach> nodes,
      Double confirmMedianMs,
      Double confirmP99Ms,
      long reconnects) {}

  /** A backlog: how many entries and since when the oldest waits. */
  public record Backlog(String name, long count, Instant oldest) {}

  /** Everything the operator view shows. */
  public record Figures(
      Instant at,
      List<TenantVolume> tenants,
      List<ProviderHealth> providers,
      Broker broker,
      List<Backlog> backlogs,
      List<Incidents.Incident> incidents) {}

  private static final int RECENT_INCIDENTS = 20;
  private static final Duration NODE_TIMEOUT = Duration.ofMillis(300);

  private final Pool database;
  private final ProviderPool providers;
  private final DispatchPublisher publisher;
  private final QuorumQueueConnector consumers;
  private final BrokerConnections brokerNodes;
  private final CascadeMetrics metrics;
  private final Incidents incidents;

  OperatorFigures(
      Pool database,
      ProviderPool providers,
      DispatchPublisher publisher,
      @Connector(QuorumQueueConnector.NAME) QuorumQueueConnector consumers,
      BrokerConnections brokerNodes,
      CascadeMetrics metrics,
      Incidents incidents) {
    this.database = database;
    this.providers = providers;
    this.publisher = publisher;
    this.consumers = consumers;
    this.brokerNodes = brokerNodes;
    this.metrics = metrics;
    this.incidents = incidents;
  }

  public Uni<Figures> now() {
    Instant now = Instant.now();
    Tuple window = Tuple.of(TenantFigures.firstIdAt(now.minus(TenantFigures.WINDOW)));
    return Uni.combine()
        .all()
        .unis(
            database.preparedQuery(PER_TENANT).execute(window),
            database
                .preparedQuery(PER_PROVIDER)
                .execute(Tuple.of(now.minus(TenantFigures.WINDOW).atOffset(ZoneOffset.UTC))),
            database.query(BACKLOGS).execute(),
            broker(),
            incidents.recent(RECENT_INCIDENTS))
        .with(
            (tenants, attempts, backlogs, broker, recent) ->
                new Figures(
                    now, volumes(tenants), health(attempts), broker, backlogs(backlogs), recent));
  }

  private Uni<Broker> broker() {
    Uni<Map<String, Long>> ready =
        publisher
            .readyCounts()
            .map(
                counts -> {
                  Map<String, Long> byQueue = new TreeMap<>();
                  counts.forEach((priority, n) -> byQueue.put(priority.id(), n));
                  return byQueue;
                })
            .onFailure()
            .recoverWithItem(Map.of());
    // Blocking connects, on a worker thread: a node that does not answer costs its timeout.
    Uni<List<BrokerConnections.NodeReach>> nodes =
        Uni.createFrom()
            .item(() -> brokerNodes.reachability(NODE_TIMEOUT))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    return Uni.combine()
        .all()
        .unis(ready, nodes)
        .with(
            (byQueue, reach) -> {
              Double[] confirm = metrics.confirmLatencyMillis();
              return new Broker(
                  publisher.isConnected(),
                  publisher.connectedNode(),
                  consumers.started(),
                  consumers.consuming(),
                  consumers.inHand(),
                  byQueue,
                  reach,
                  confirm[0],
                  confirm[1],
                  incidents.failures(Incidents.Kind.BROKER_PUBLISHING)
                      + incidents.failures(Incidents.Kind.BROKER_CONSUMING));
            });
  }

  private static List<TenantVolume> volumes(RowSet<Row> rows) {
    List<TenantVolume> volumes = new ArrayList<>();
    for (Row row : rows) {
      volumes.add(
          new TenantVolume(
              row.getUUID("tenant_id"),
              row.getString("name"),
              row.getLong("accepted"),
              row.getLong("delivered"),
              row.getLong("failed"),
              row.getLong("expired"),
              row.getLong("open")));
    }
    return volumes;
  }

  /** Every configured provider, with its last hour's attempts where it made any. */
  private List<ProviderHealth> health(RowSet<Row> rows) {
    List<Row> list = new ArrayList<>();
    rows.forEach(list::add);
    Map<String, Row> byProvider =
        list.stream()
            .collect(
                Collectors.toMap(
                    r -> r.getString("channel") + "/" + r.getString("provider"),
                    Function.identity()));
    List<ProviderHealth> health = new ArrayList<>();
    for (GuardedProvider provider : providers.all()) {
      GuardedProvider.Health now = provider.health();
      Row hour = byProvider.get(now.channel() + "/" + now.provider());
      health.add(
          new ProviderHealth(
              now.channel(),
              now.provider(),
              now.standby(),
              now.circuit(),
              now.down(),
              hour == null ? 0 : hour.getLong("attempts"),
              hour == null ? 0 : hour.getLong("errors"),
              hour == null ? null : hour.getDouble("p50"),
              hour == null ? null : hour.getDouble("p95")));
    }
    return health;
  }

  private static List<Backlog> backlogs(RowSet<Row> rows) {
    List<Backlog> backlogs = new ArrayList<>();
    for (Row row : rows) {
      OffsetDateTime oldest = row.getOffsetDateTime("oldest");
      backlogs.add(
          new Backlog(
              row.getString("backlog"),
              row.getLong("n"),
              oldest == null ? null : oldest.toInstant()));
    }
    return backlogs;
  }
}
