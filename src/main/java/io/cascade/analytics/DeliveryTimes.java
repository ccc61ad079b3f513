package io.cascade.analytics;

import java.util.Arrays;

/**
 * Times from accept to delivered, counted in fixed buckets: hours rolled up separately add up to a
 * day or a week by adding their counts, which exact percentiles would not. Median and p95 are read
 * from the buckets by linear interpolation, so they are estimates within one bucket's width.
 */
public final class DeliveryTimes {

  /** Upper bounds in seconds of every bucket but the last, which holds everything slower. */
  static final double[] UPPER_BOUNDS = {
    0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600
  };

  /** How many buckets a histogram has: one per bound and one above the last. */
  static final int BUCKETS = UPPER_BOUNDS.length + 1;

  private static final DeliveryTimes NONE = new DeliveryTimes(new long[BUCKETS]);

  private final long[] counts;

  private DeliveryTimes(long[] counts) {
    this.counts = counts;
  }

  /** No deliveries yet. */
  public static DeliveryTimes none() {
    return NONE;
  }

  /** A histogram with these counts, one per bucket. */
  public static DeliveryTimes of(long[] counts) {
    if (counts.length != BUCKETS) {
      throw new IllegalArgumentException(
          "expected " + BUCKETS + " bucket counts, got " + counts.length);
    }
    return new DeliveryTimes(counts.clone());
  }

  /** {@code count} deliveries, all in bucket {@code bucket}. */
  static DeliveryTimes single(int bucket, long count) {
    long[] counts = new long[BUCKETS];
    counts[bucket] = count;
    return new DeliveryTimes(counts);
  }

  /** The histogram of both. */
  public DeliveryTimes plus(DeliveryTimes other) {
    long[] sum = counts.clone();
    for (int i = 0; i < BUCKETS; i++) {
      sum[i] += other.counts[i];
    }
    return new DeliveryTimes(sum);
  }

  /** How many deliveries were counted. */
  public long count() {
    return Arrays.stream(counts).sum();
  }

  /**
   * The time under which a fraction {@code q} of the deliveries fell, in seconds, or {@code null}
   * when there were none. Beyond the last bound the answer is that bound: "an hour or more".
   */
  public Double quantile(double q) {
    long total = count();
    if (total == 0) {
      return null;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long inBucket = counts[i];
      if (inBucket > 0 && below + inBucket >= rank) {
        if (i == UPPER_BOUNDS.length) {
          return UPPER_BOUNDS[i - 1];
        }
        double lower = i == 0 ? 0 : UPPER_BOUNDS[i - 1];
        double share = (rank - below) / inBucket;
        return lower + share * (UPPER_BOUNDS[i] - lower);
      }
      below += inBucket;
    }
    return UPPER_BOUNDS[UPPER_BOUNDS.length - 1];
  }

  /**
   * SQL for one aggregate per bucket, {@code count(*) FILTER (...)}, over an expression in seconds
   * (NULL for attempts not delivered, which no bucket counts), separated by commas.
   */
  static String bucketCounts(String seconds) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < BUCKETS; i++) {
      if (i > 0) {
        sql.append(", ");
      }
      sql.append("count(*) FILTER (WHERE ");
      if (i == 0) {
        sql.append(seconds).append(" < ").append(UPPER_BOUNDS[0]);
      } else if (i == UPPER_BOUNDS.length) {
        sql.append(seconds).append(" >= ").append(UPPER_BOUNDS[i - 1]);
      } else {
        sql.append(seconds)
            .append(" >= ")
            .append(UPPER_BOUNDS[i - 1])
            .append(" AND ")
            .append(seconds)
            .append(" < ")
            .append(UPPER_BOUNDS[i]);
      }
      sql.append(") AS b").append(i);
    }
    return sql.toString();
  }

  /**
   * The bounds as an SQL array for {@code width_bucket}, which numbers the buckets as this class
   * does: 0 below the first bound, the bound count at or above the last.
   */
  static String boundsArray() {
    StringBuilder sql = new StringBuilder("ARRAY[");
    for (int i = 0; i < UPPER_BOUNDS.length; i++) {
      sql.append(i == 0 ? "" : ", ").append(UPPER_BOUNDS[i]);
    }
    return sql.append("]::float8[]").toString();
  }

  /** The counts of a row whose bucket columns are named b0, b1, ... */
  static long[] countsFrom(java.util.function.ToLongFunction<String> column) {
    long[] counts = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = column.applyAsLong("b" + i);
    }
    return counts;
  }

  long[] counts() {
    return counts.clone();
  }
}
