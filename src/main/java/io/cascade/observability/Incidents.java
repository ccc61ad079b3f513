package io.cascade.observability;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Faults of the broker and the database as this replica lived through them, each with how long it
 * lasted: the recovery time the service measured itself, from the first failure it saw to the
 * moment it worked again. The broker's side is reported by the publisher and the consumers; the
 * database's by a probe ({@code SELECT 1} every {@code cascade.incidents.probe-interval}). An
 * incident is written to the {@code incident} table (owned here) once it is over, when the database
 * can take it, so every replica's incidents can be listed; one still going on is in memory only.
 */
@ApplicationScoped
public class Incidents {

  private static final Logger LOG = Logger.getLogger(Incidents.class);

  /** What failed. */
  public enum Kind {
    /** The publisher had no broker to publish to. */
    BROKER_PUBLISHING,
    /** Dispatch consumers were not subscribed; the incident lasts until all of them are again. */
    BROKER_CONSUMING,
    /** The database could not be reached. */
    DATABASE
  }

  /** One fault; {@code endedAt} and {@code seconds} are null while it lasts. */
  public record Incident(
      String replica,
      Kind kind,
      Instant startedAt,
      Instant endedAt,
      Double seconds,
      String cause,
      String recovery) {}

  /** A fault going on: the parts still down (consumers, the publisher, the probe). */
  private static final class Open {
    final Instant startedAt;
    final String cause;
    final Set<String> down = new HashSet<>();

    Open(Instant startedAt, String cause) {
      this.startedAt = startedAt;
      this.cause = cause;
    }
  }

  private static final String INSERT =
      "INSERT INTO incident (id, replica, kind, started_at, ended_at, cause, recovery)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7)";

  private static final String RECENT =
      "SELECT replica, kind, started_at, ended_at, cause, recovery FROM incident"
          + " ORDER BY started_at DESC LIMIT $1";

  private final Pool database;
  private final Duration probeInterval;
  private final String replica;
  private final Map<Kind, Open> open = new ConcurrentHashMap<>();
  private final Map<Kind, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Queue<Incident> unsaved = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean probing = new AtomicBoolean();
  private Vertx vertx;
  private long timer = -1;

  Incidents(
      Pool database,
      @ConfigProperty(name = "cascade.incidents.probe-interval", defaultValue = "250ms")
          Duration probeInterval) {
    this.database = database;
    this.probeInterval = probeInterval;
    this.replica = replicaName();
  }

  /** {@code part} of {@code kind} failed; the first failure of a fault starts the incident. */
  public void failed(Kind kind, String part, String cause) {
    failed(kind, part, cause, Instant.now());
  }

  private void failed(Kind kind, String part, String cause, Instant since) {
    open.compute(
        kind,
        (k, current) -> {
          Open incident = current == null ? new Open(since, cause) : current;
          if (incident.down.add(part)) {
            failures.computeIfAbsent(kind, any -> new AtomicLong()).incrementAndGet();
          }
          return incident;
        });
  }

  /** {@code part} of {@code kind} works again; the incident ends when no part is down. */
  public void recovered(Kind kind, String part, String how) {
    Instant now = Instant.now();
    open.computeIfPresent(
        kind,
        (k, current) -> {
          current.down.remove(part);
          if (!current.down.isEmpty()) {
            return current;
          }
          double seconds = Duration.between(current.startedAt, now).toMillis() / 1000.0;
          LOG.infof("%s incident over after %.2f s: %s; %s", kind, seconds, current.cause, how);
          unsaved.add(
              new Incident(replica, kind, current.startedAt, now, seconds, current.cause, how));
          return null;
        });
  }

  /** How often a part of {@code kind} failed on this replica since it started: its reconnects. */
  public long failures(Kind kind) {
    AtomicLong count = failures.get(kind);
    return count == null ? 0 : count.get();
  }

  /** The incidents of this replica still going on. */
  public List<Incident> ongoing() {
    List<Incident> ongoing = new ArrayList<>();
    open.forEach(
        (kind, incident) ->
            ongoing.add(
                new Incident(replica, kind, incident.startedAt, null, null, incident.cause, null)));
    return ongoing;
  }

  /**
   * The newest incidents: this replica's ongoing ones, then every replica's recorded ones (with
   * this replica's not written yet), newest first.
   */
  public Uni<List<Incident>> recent(int limit) {
    return database
        .preparedQuery(RECENT)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<Incident> ended = new ArrayList<>(unsaved);
              for (Row row : rows) {
                ended.add(fromRow(row));
              }
              ended.sort(Comparator.comparing(Incident::startedAt).reversed());
              List<Incident> all = new ArrayList<>(ongoing());
              all.addAll(ended.subList(0, Math.min(limit, ended.size())));
              return all;
            });
  }

  void startProbe(@Observes StartupEvent startup, Vertx vertx) {
    this.vertx = vertx;
    timer = vertx.setPeriodic(Math.max(10, probeInterval.toMillis()), ignored -> probe());
  }

  void stopProbe(@Observes ShutdownEvent shutdown) {
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** Asks the database for the smallest answer it has, then writes down what has ended. */
  private void probe() {
    if (!probing.compareAndSet(false, true)) {
      return;
    }
    Instant sent = Instant.now();
    database
        .query("SELECT 1")
        .execute()
        .onItem()
        .invoke(ignored -> recovered(Kind.DATABASE, "probe", "the database answers again"))
        .onFailure()
        .invoke(failure -> failed(Kind.DATABASE, "probe", failure.toString(), sent))
        .replaceWithVoid()
        .onFailure()
        .recoverWithNull()
        .flatMap(ignored -> save())
        .subscribe()
        .with(done -> probing.set(false), failure -> probing.set(false));
  }

  private Uni<Void> save() {
    Incident next = unsaved.peek();
    if (next == null) {
      return Uni.createFrom().voidItem();
    }
    return database
        .preparedQuery(INSERT)
        .execute(
            Tuple.tuple()
                .addUUID(UUID.randomUUID())
                .addString(next.replica())
                .addString(next.kind().name())
                .addOffsetDateTime(next.startedAt().atOffset(ZoneOffset.UTC))
                .addOffsetDateTime(next.endedAt().atOffset(ZoneOffset.UTC))
                .addString(truncate(next.cause()))
                .addString(truncate(next.recovery())))
        .invoke(ignored -> unsaved.remove(next))
        .flatMap(ignored -> save())
        .onFailure()
        .invoke(failure -> LOG.debugf("incident not written yet: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull();
  }

  private static Incident fromRow(Row row) {
    Instant started = row.getOffsetDateTime("started_at").toInstant();
    Instant ended = row.getOffsetDateTime("ended_at").toInstant();
    return new Incident(
        row.getString("replica"),
        Kind.valueOf(row.getString("kind")),
        started,
        ended,
        Duration.between(started, ended).toMillis() / 1000.0,
        row.getString("cause"),
        row.getString("recovery"));
  }

  private static String truncate(String text) {
    return text == null || text.length() <= 1000 ? text : text.substring(0, 1000);
  }

  // The pod name on Kubernetes (HOSTNAME), the host name elsewhere; the process id tells apart
  // replicas on one host.
  private static String replicaName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host + "/" + ProcessHandle.current().pid();
  }
}
