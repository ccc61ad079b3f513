package io.cascade.store;

/**
 * What PostgreSQL's statistics say about one of the store's tables, and the upkeep it needs by the
 * rules autovacuum applies with its default settings: a vacuum once dead rows pass 50 + 20 % of the
 * live ones, an analysis once rows changed since the last one pass 50 + 10 %.
 */
record TableStats(String table, long liveRows, long deadRows, long changedSinceAnalyze) {

  /** The upkeep a table needs. */
  enum Upkeep {
    NONE,
    ANALYZE,
    VACUUM_ANALYZE
  }

  private static final long BASE_ROWS = 50;

  Upkeep upkeep() {
    if (deadRows > BASE_ROWS + liveRows / 5) {
      return Upkeep.VACUUM_ANALYZE;
    }
    if (changedSinceAnalyze > BASE_ROWS + liveRows / 10) {
      return Upkeep.ANALYZE;
    }
    return Upkeep.NONE;
  }
}
