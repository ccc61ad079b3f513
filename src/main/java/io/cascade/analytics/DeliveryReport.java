package io.cascade.analytics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Delivery rate and time to deliver per channel and provider over a window, with the attempts per
 * hour. Counts are of attempts started in the window; times run from accept to delivered.
 *
 * @param rolledUntil hours before it came from the roll-up, the rest from the attempts themselves
 */
public record DeliveryReport(
    String window,
    Instant from,
    Instant until,
    Instant rolledUntil,
    List<Provider> providers,
    List<Hour> perHour) {

  /** One provider of one channel over the whole window. */
  public record Provider(
      String channel,
      String provider,
      long attempts,
      long delivered,
      long failed,
      Double deliveryRate,
      Double medianSeconds,
      Double p95Seconds) {}

  /** All providers in one hour of the window. */
  public record Hour(Instant hour, long attempts, long delivered, Double deliveryRate) {}

  /** Adds the tallies up per provider and per hour. */
  static DeliveryReport of(
      Window window, Instant from, Instant until, Instant rolledUntil, List<Tally> tallies) {
    Map<String, Tally> byProvider = new TreeMap<>();
    Map<Instant, Tally> byHour = new TreeMap<>();
    for (Tally tally : tallies) {
      byProvider.merge(tally.channel() + "\u0000" + tally.provider(), tally, Tally::plus);
      byHour.merge(tally.hour(), tally, Tally::plus);
    }
    List<Provider> providers = new ArrayList<>();
    for (Tally t : byProvider.values()) {
      providers.add(
          new Provider(
              t.channel(),
              t.provider(),
              t.attempts(),
              t.delivered(),
              t.failed(),
              rate(t.delivered(), t.attempts()),
              t.times().quantile(0.5),
              t.times().quantile(0.95)));
    }
    List<Hour> perHour = new ArrayList<>();
    for (Tally t : byHour.values()) {
      perHour.add(
          new Hour(t.hour(), t.attempts(), t.delivered(), rate(t.delivered(), t.attempts())));
    }
    return new DeliveryReport(window.label(), from, until, rolledUntil, providers, perHour);
  }

  private static Double rate(long delivered, long attempts) {
    return attempts == 0 ? null : (double) delivered / attempts;
  }
}
