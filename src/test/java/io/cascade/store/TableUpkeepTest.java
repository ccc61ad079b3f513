package io.cascade.store;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service vacuums and analyzes a table of the store once it passes the thresholds. */
@QuarkusTest
@TestProfile(TableUpkeepTest.UpkeepOnDemand.class)
class TableUpkeepTest {

  /** Upkeep by the service whatever the server does, and only when the test asks for it. */
  public static class UpkeepOnDemand implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cascade.store.upkeep", "always", "cascade.store.upkeep-interval", "1h");
    }
  }

  // Change an indexed column and back: no HOT update, every row changed twice.
  private static final String SHIFT_FORWARD =
      "UPDATE message SET updated_at = updated_at + interval '1 microsecond'";
  private static final String SHIFT_BACK =
      "UPDATE message SET updated_at = updated_at - interval '1 microsecond'";
  private static final String STATS =
      "SELECT n_live_tup, n_dead_tup, n_mod_since_analyze, vacuum_count, analyze_count"
          + " FROM pg_stat_user_tables WHERE relname = 'message'";

  @Inject Pool database;
  @Inject TableUpkeep upkeep;

  @Test
  void aTableWithManyChangedRowsIsAnalyzedAndVacuumedAndThenLeftAlone() {
    TestApi.Tenant tenant = TestApi.newTenant();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(send(tenant.key(), message(List.of(sms()))));
    }
    ids.forEach(id -> awaitStatus(tenant.key(), id, "delivered"));
    database
        .withConnection(
            connection ->
                connection
                    .query(SHIFT_FORWARD)
                    .execute()
                    .chain(() -> connection.query(SHIFT_BACK).execute())
                    .repeat()
                    .atMost(2)
                    .collect()
                    .last()
                    .chain(() -> connection.query("SELECT pg_stat_force_next_flush()").execute())
                    .chain(() -> connection.query("SELECT 1").execute()))
        .await()
        .atMost(Duration.ofSeconds(60));
    // Changed rows only grow until an analysis (dead ones PostgreSQL may prune by itself).
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> tableStats(stats()).upkeep() != TableStats.Upkeep.NONE);
    Row before = stats();
    TableStats.Upkeep needed = tableStats(before).upkeep();

    upkeep.run().await().atMost(Duration.ofSeconds(60));

    Row after = stats();
    assertThat(after.getLong("analyze_count")).isGreaterThan(before.getLong("analyze_count"));
    if (needed == TableStats.Upkeep.VACUUM_ANALYZE) {
      assertThat(after.getLong("vacuum_count")).isGreaterThan(before.getLong("vacuum_count"));
    }

    // Kept up: the next look finds nothing to do.
    upkeep.run().await().atMost(Duration.ofSeconds(60));
    Row again = stats();
    assertThat(again.getLong("analyze_count")).isEqualTo(after.getLong("analyze_count"));
    assertThat(again.getLong("vacuum_count")).isEqualTo(after.getLong("vacuum_count"));
  }

  private static TableStats tableStats(Row row) {
    return new TableStats(
        "message",
        row.getLong("n_live_tup"),
        row.getLong("n_dead_tup"),
        row.getLong("n_mod_since_analyze"));
  }

  private Row stats() {
    return database.query(STATS).execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
  }
}
