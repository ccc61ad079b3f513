package io.cascade.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's own metrics, scraped at {@code /q/metrics}. Tags stay low-cardinality: channel,
 * provider, outcome, reason, status. Circuit breaker states come from SmallRye Fault Tolerance
 * ({@code ft_circuitbreaker_state_current}).
 */
@ApplicationScoped
public class CascadeMetrics {

  private final MeterRegistry registry;
  // Meters by name and tags: looked up once, not built again for every message.
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> deliveryLatency = new ConcurrentHashMap<>();
  private final Counter accepted;
  private final Counter shed;
  private final Timer acceptLatency;
  private final Timer confirmLatency;

  CascadeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.accepted =
        Counter.builder("cascade.messages.accepted")
            .description("Messages committed and answered 202")
            .register(registry);
    this.shed =
        Counter.builder("cascade.messages.shed")
            .description("Send requests answered 503 unstored: they waited too long to be stored")
            .register(registry);
    this.acceptLatency =
        Timer.builder("cascade.accept.latency")
            .description("Time from receiving a send request to answering it")
            .publishPercentileHistogram()
            .register(registry);
    this.confirmLatency =
        Timer.builder("cascade.broker.confirm.latency")
            .description("Time from publishing a message to the broker's confirm")
            .publishPercentileHistogram()
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  /** The broker confirmed a publication {@code millis} after it was published. */
  public void confirmed(long millis) {
    confirmLatency.record(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * The median and 99th percentile confirm latency in ms over the last minutes, or nulls when
   * nothing was published.
   */
  public Double[] confirmLatencyMillis() {
    Double[] quantiles = {null, null};
    if (confirmLatency.count() == 0) {
      return quantiles;
    }
    for (var value : confirmLatency.takeSnapshot().percentileValues()) {
      int index = value.percentile() == 0.5 ? 0 : 1;
      quantiles[index] = value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return quantiles;
  }

  public void accepted(long startNanos) {
    accepted.increment();
    acceptLatency.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A send request waited too long to be stored and was answered 503 without storing it. */
  public void shed() {
    shed.increment();
  }

  /** One attempt ended; {@code outcome} is the attempt status. */
  public void attempt(String channel, String provider, String outcome) {
    counter("cascade.attempts", "channel", channel, "provider", provider, "outcome", outcome)
        .increment();
  }

  /** A message moved from one channel to the next step of its route. */
  public void failover(String from, String to, String reason) {
    counter("cascade.failovers", "from", from, "to", to, "reason", reason).increment();
  }

  /** A provider's guard tries it again after a transient failure. */
  public void providerRetry(String channel, String provider) {
    counter("cascade.provider.retries", "channel", channel, "provider", provider).increment();
  }

  /** A provider gave up on a step and the next provider of the same channel takes it. */
  public void providerFailover(String channel, String from, String reason) {
    counter("cascade.provider.failovers", "channel", channel, "from", from, "reason", reason)
        .increment();
  }

  /** A delivery receipt or status callback was stored; {@code status} as the provider meant it. */
  public void receipt(String provider, String status) {
    counter("cascade.receipts", "provider", provider, "status", status).increment();
  }

  /**
   * A walk over a message's route ended with every open step failed for now ({@code reason}: of the
   * last step); the message waits and walks it again.
   */
  public void routeWait(String reason) {
    counter("cascade.route.waits", "reason", reason).increment();
  }

  /**
   * A late receipt delivered an attempt of a step the cascade had left, while the message was
   * already delivered via {@code first}: the recipient got it twice.
   */
  public void doubleDelivery(String first, String second) {
    counter("cascade.double.deliveries", "first", first, "second", second).increment();
  }

  /**
   * Messages put back on the queue that the broker held for no working dispatcher: {@code why} is
   * {@code passed} (the queue handed out later ones), {@code silent_owner} (claimed by a dispatcher
   * that stopped beating) or {@code stalled} (untouched past the stall limit).
   */
  public void redriven(int count, String why) {
    counter("cascade.messages.redriven", "reason", why).increment(count);
  }

  /**
   * A dispatch consumer of {@code queue} consumed anew because the broker had stopped sending to it
   * while the queue had ready messages.
   */
  public void consumerRecycled(String queue) {
    counter("cascade.broker.consumer.recycles", "queue", queue).increment();
  }

  /** A message reached a final status; the timer measures acceptance to that status. */
  public void finalStatus(String status, Instant acceptedAt) {
    counter("cascade.messages.final", "status", status).increment();
    deliveryLatency
        .computeIfAbsent(
            status,
            s ->
                Timer.builder("cascade.delivery.latency")
                    .description("Time from acceptance to the final status")
                    .tag("status", s)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(Duration.between(acceptedAt, Instant.now()));
  }

  /** A webhook delivery ended: {@code delivered}, {@code retried} or {@code given_up}. */
  public void webhook(String outcome) {
    counter("cascade.webhooks", "outcome", outcome).increment();
  }

  private Counter counter(String name, String... tags) {
    List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    key.addAll(Arrays.asList(tags));
    return counters.computeIfAbsent(key, k -> registry.counter(name, tags));
  }
}
