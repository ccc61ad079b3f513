package io.cascade.dispatch;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * This process as a dispatcher: the id it claims steps with, and a heartbeat in PostgreSQL so that
 * a redelivery can tell a live owner (leave the step to it) from a dead one (take over now).
 */
@ApplicationScoped
public class DispatcherInstance {

  private static final Logger LOG = Logger.getLogger(DispatcherInstance.class);

  private static final String BEAT =
      "INSERT INTO dispatcher_instance (id, seen_at) VALUES ($1, now())"
          + " ON CONFLICT (id) DO UPDATE SET seen_at = now()";
  private static final String FORGET_OLD =
      "DELETE FROM dispatcher_instance WHERE seen_at < now() - interval '1 day'";

  private final UUID id = UUID.randomUUID();
  private final Pool database;
  private final DispatchConfig config;

  DispatcherInstance(Pool database, DispatchConfig config) {
    this.database = database;
    this.config = config;
  }

  /** The id this process claims steps with. */
  public UUID id() {
    return id;
  }

  /** How long an owner may stay silent before it counts as dead: three heartbeats. */
  public Duration silenceLimit() {
    return config.ownerHeartbeat().multipliedBy(3);
  }

  /**
   * Beats once before the messaging connectors start (they run at priority 1000): a step this
   * process claims before its first beat is recorded would look like one whose owner never lived,
   * and another replica's redelivery would take it over mid-send.
   */
  void beatAtStartup(@Observes @Priority(100) StartupEvent startup) {
    // A database that does not answer now holds the claims up too; the schedule beats on.
    beat()
        .ifNoItem()
        .after(Duration.ofSeconds(5))
        .recoverWithItem((Void) null)
        .await()
        .indefinitely();
  }

  @Scheduled(
      every = "${cascade.dispatch.owner-heartbeat:2s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> beat() {
    return database
        .preparedQuery(BEAT)
        .execute(Tuple.of(id))
        .flatMap(ignored -> database.query(FORGET_OLD).execute())
        .replaceWithVoid()
        .onFailure()
        .invoke(failure -> LOG.debugf("dispatcher heartbeat failed: %s", failure))
        .onFailure()
        .recoverWithNull();
  }
}
