package io.cascade.dispatch;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
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
