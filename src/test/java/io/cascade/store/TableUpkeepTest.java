package io.cascade.store;

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

  private static final String SHIFT_FORWARD =
      "UPDATE message SET updated_at = updated_at + interval '1 microsecond'";
  private static final String SHIFT_BACK =
      "UPDATE message SET updated_at = updated_at - interval '1 microsecond'";
  private static final String STATS =
      "SELECT n_live_tup, n_dead_tup, vacuum_count, analyze_count FROM pg_stat_user_tables"
          + " WHERE relname = 'message'";

  @Inject Pool database;
  @Inject TableUpkeep upkeep;

  @Test
  void aTableFullOfDeadRowsIsVacuumedAndAnalyzed() {
    TestApi.Tenant tenant = TestApi.newTenant();
    for (int i = 0; i < 20; i++) {
      send(tenant.key(), message(List.of(sms())));
    }
    // Three no-op updates of every row: at least three dead rows per live one, past 50 + 20 %.
    database
        .withConnection(
            connection ->
                connection
                    .query("UPDATE message SET version = version")
                    .execute()
                    .repeat()
                    .atMost(3)
                    .collect()
                    .last()
                    .chain(() -> connection.query("SELECT pg_stat_force_next_flush()").execute())
                    .chain(() -> connection.query("SELECT 1").execute()))
        .await()
        .atMost(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(15)).until(() -> stats().getLong("n_dead_tup") > 60);
    Row before = stats();

    upkeep.run().await().atMost(Duration.ofSeconds(60));

    Row after = stats();
    assertThat(after.getLong("vacuum_count")).isGreaterThan(before.getLong("vacuum_count"));
    assertThat(after.getLong("analyze_count")).isGreaterThan(before.getLong("analyze_count"));
    assertThat(after.getLong("n_dead_tup")).isLessThan(before.getLong("n_dead_tup"));
  }

  private Row stats() {
    return database.query(STATS).execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
  }
}
