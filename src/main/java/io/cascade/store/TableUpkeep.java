package io.cascade.store;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Vacuums and analyzes the store's tables when PostgreSQL's autovacuum does not (it is switched off
 * on the server, or {@code cascade.store.upkeep=always}).
 *
 * <p>Why the service cares: every change of a message is an update that leaves a dead row and new
 * index entries behind, a few per delivered message. Without vacuum the tables and their indexes
 * grow without end; without analysis the prepared statements the pool caches keep the plans made
 * when the tables were small (sequential scans of {@code message} and {@code attempt} once they
 * hold 100,000 rows: measured, delivery fell to a quarter of the accept rate). {@code SKIP_LOCKED}
 * lets replicas share the work: a table another replica is vacuuming is skipped, not waited for.
 */
@ApplicationScoped
class TableUpkeep {

  private static final Logger LOG = Logger.getLogger(TableUpkeep.class);

  private static final List<String> TABLES =
      List.of("message", "attempt", "receipt", "provider_message", "webhook_event");
  private static final String STATS =
      "SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze FROM pg_stat_user_tables"
          + " WHERE schemaname = current_schema() AND relname = ANY($1)";

  private final Pool database;
  private final StoreConfig config;

  /** Whether this replica does the upkeep; null until the server's setting is known. */
  private final AtomicReference<Boolean> active = new AtomicReference<>();

  TableUpkeep(Pool database, StoreConfig config) {
    this.database = database;
    this.config = config;
  }

  void onStart(@Observes StartupEvent start) {
    decideWhetherActive().subscribe().with(ignored -> {}, failure -> {});
  }

  @Scheduled(
      every = "${cascade.store.upkeep-interval:30s}",
      delayed = "${cascade.store.upkeep-interval:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> run() {
    return decideWhetherActive()
        .flatMap(doIt -> doIt ? upkeep() : Uni.createFrom().voidItem())
        .onFailure()
        .invoke(failure -> LOG.warnf("table upkeep failed: %s", failure.toString()))
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Boolean> decideWhetherActive() {
    Boolean known = active.get();
    if (known != null) {
      return Uni.createFrom().item(known);
    }
    return switch (config.upkeep()) {
      case ALWAYS -> remember(true, "cascade.store.upkeep=always");
      case OFF -> remember(false, null);
      case AUTO ->
          database
              .query("SELECT current_setting('autovacuum') = 'on'")
              .execute()
              .flatMap(
                  rows ->
                      rows.iterator().next().getBoolean(0)
                          ? remember(false, null)
                          : remember(true, "PostgreSQL's autovacuum is off"));
    };
  }

  private Uni<Boolean> remember(boolean doIt, String why) {
    if (active.compareAndSet(null, doIt) && doIt) {
      LOG.warnf(
          "%s: this service vacuums and analyzes its own tables every %s"
              + " (cascade.store.upkeep=off to leave it to the database administrator)",
          why, config.upkeepInterval().toString().substring(2).toLowerCase(Locale.ROOT));
    }
    return Uni.createFrom().item(doIt);
  }

  private Uni<Void> upkeep() {
    return database
        .preparedQuery(STATS)
        .execute(Tuple.of(TABLES.toArray(String[]::new)))
        .onItem()
        .transformToMulti(rows -> Multi.createFrom().iterable(rows))
        .map(TableUpkeep::stats)
        .filter(stats -> stats.upkeep() != TableStats.Upkeep.NONE)
        // one table after the other: upkeep must not compete with deliveries for every core
        .onItem()
        .transformToUniAndConcatenate(this::keepUp)
        .collect()
        .last()
        .replaceWithVoid();
  }

  private Uni<Void> keepUp(TableStats stats) {
    // table names come from TABLES above, never from outside
    String sql =
        switch (stats.upkeep()) {
          case VACUUM_ANALYZE -> "VACUUM (ANALYZE, SKIP_LOCKED) " + stats.table();
          case ANALYZE -> "ANALYZE (SKIP_LOCKED) " + stats.table();
          case NONE -> throw new IllegalArgumentException("nothing to do for " + stats.table());
        };
    long started = System.nanoTime();
    return database
        .query(sql)
        .execute()
        .invoke(
            () ->
                LOG.debugf(
                    "%s (%d live, %d dead, %d changed rows) took %d ms",
                    sql,
                    stats.liveRows(),
                    stats.deadRows(),
                    stats.changedSinceAnalyze(),
                    (System.nanoTime() - started) / 1_000_000))
        .replaceWithVoid();
  }

  private static TableStats stats(Row row) {
    return new TableStats(row.getString(0), row.getLong(1), row.getLong(2), row.getLong(3));
  }
}
