package io.cascade.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeliveryTimesTest {

  private static DeliveryTimes of(double... seconds) {
    long[] counts = new long[DeliveryTimes.BUCKETS];
    for (double s : seconds) {
      int bucket = 0;
      while (bucket < DeliveryTimes.UPPER_BOUNDS.length
          && s >= DeliveryTimes.UPPER_BOUNDS[bucket]) {
        bucket++;
      }
      counts[bucket]++;
    }
    return DeliveryTimes.of(counts);
  }

  @Test
  void noDeliveriesHaveNoQuantiles() {
    assertNull(DeliveryTimes.none().quantile(0.5));
    assertEquals(0, DeliveryTimes.none().count());
  }

  @Test
  void quantilesFallInTheBucketOfTheExactValue() {
    // 100 deliveries: 1.0 s to 5.95 s in steps of 0.05 s.
    double[] seconds = new double[100];
    for (int i = 0; i < 100; i++) {
      seconds[i] = 1.0 + i * 0.05;
    }
    DeliveryTimes times = of(seconds);
    double median = times.quantile(0.5);
    double p95 = times.quantile(0.95);
    // The exact median is 3.475 s (bucket 3-5 s), the exact p95 5.725 s (bucket 5-7.5 s).
    assertTrue(median >= 3 && median < 5, "median " + median);
    assertTrue(p95 >= 5 && p95 < 7.5, "p95 " + p95);
    assertTrue(median < p95);
  }

  @Test
  void hoursAddUpToTheSameHistogramAsTheirDeliveriesTogether() {
    DeliveryTimes first = of(0.1, 0.7, 2.5);
    DeliveryTimes second = of(12, 3600 * 2);
    DeliveryTimes together = of(0.1, 0.7, 2.5, 12, 3600 * 2);
    assertEquals(together.quantile(0.5), first.plus(second).quantile(0.5));
    assertEquals(5, first.plus(second).count());
    assertEquals(3, first.count(), "plus leaves its operands alone");
  }

  @Test
  void beyondTheLastBoundTheAnswerIsTheBound() {
    assertEquals(3600.0, of(7200, 9000).quantile(0.95));
  }

  @Test
  void aHistogramOfTheWrongSizeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DeliveryTimes.of(new long[3]));
  }

  @Test
  void theSqlCountsEveryBucketOnce() {
    String sql = DeliveryTimes.bucketCounts("s");
    assertTrue(sql.startsWith("count(*) FILTER (WHERE s < 0.25) AS b0"), sql);
    assertTrue(sql.contains("s >= 0.25 AND s < 0.5) AS b1"), sql);
    assertTrue(sql.endsWith("s >= 3600.0) AS b20"), sql);
  }
}
