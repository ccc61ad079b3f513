package io.cascade.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cascade.store.TableStats.Upkeep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TableStatsTest {

  @ParameterizedTest(name = "live={0} dead={1} changed={2} -> {3}")
  @CsvSource({
    "0, 0, 0, NONE",
    "0, 0, 50, NONE",
    "0, 0, 51, ANALYZE",
    "0, 51, 51, VACUUM_ANALYZE",
    "1000, 250, 150, NONE",
    "1000, 250, 151, ANALYZE",
    "1000, 251, 0, VACUUM_ANALYZE",
    "100000, 20000, 10050, NONE",
    "100000, 20051, 0, VACUUM_ANALYZE",
    "100000, 0, 10051, ANALYZE"
  })
  void followsAutovacuumsDefaultThresholds(long live, long dead, long changed, Upkeep expected) {
    assertEquals(expected, new TableStats("message", live, dead, changed).upkeep());
  }
}
