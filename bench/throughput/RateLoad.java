import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate (open-loop) load for bench/throughput/run.sh --sustained and --smpp: offers one POST
 * /v1/messages (sms then email route; sms only with BENCH_ROUTE=sms) every 1/rate seconds for a
 * bounded time, whatever the
 * answers, with at most max-in-flight requests outstanding (a send whose turn comes while the cap
 * is reached is counted as "skipped", not queued, so the offered rate never hides a stall).
 * Accept latency is measured from the scheduled send time (no coordinated omission).
 *
 * <p>Run with {@code CASCADE_BENCH_KEY=<api-key> java bench/throughput/RateLoad.java <base-url[,base-url]>
 * <rate/s> <seconds> [max-in-flight=256]}. Stops by itself: after the last send it waits at most
 * 15 s for answers. A Kannel {@code .../cgi-bin/sendsms?...} URL instead of a base URL sends GETs
 * to it, each with a {@code dlr-url} of BENCH_DLR_URL carrying the send time ({@code &sent=<epoch
 * ms>}, and Kannel's {@code %d}, the report type), so that the SMSC can time the delivery reports.
 * Prints one line of key=value pairs.
 */
public class RateLoad {

  static final String BODY =
      "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"},"
          + "{\"channel\":\"email\",\"to\":\"user@example.com\",\"subject\":\"Code\"}],"
          + "\"text\":\"Your code is 123456\",\"reference\":\"throughput\"}";
  static final String SMS_BODY =
      "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"}],"
          + "\"text\":\"Your code is 123456\",\"reference\":\"throughput\"}";

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String key = System.getenv("CASCADE_BENCH_KEY");
    double rate = Double.parseDouble(args[1]);
    long seconds = Long.parseLong(args[2]);
    int maxInFlight = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    int total = (int) Math.round(rate * seconds);

    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    String body = "sms".equals(System.getenv("BENCH_ROUTE")) ? SMS_BODY : BODY;
    // One or more replicas (comma-separated base URLs), taken in turn.
    HttpRequest[] requests =
        Arrays.stream(base.split(","))
            .map(
                url ->
                    HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build())
            .toArray(HttpRequest[]::new);
    boolean kannel = base.contains("/cgi-bin/sendsms");
    String dlrUrl = System.getenv("BENCH_DLR_URL");

    Semaphore inFlight = new Semaphore(maxInFlight);
    long[] latencyMicros = new long[total];
    Arrays.fill(latencyMicros, -1);
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger timeouts = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicLong lastAnswerNanos = new AtomicLong();
    int skipped = 0;
    int sent = 0;
    long maxLagMicros = 0;

    long periodNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * periodNanos;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      maxLagMicros = Math.max(maxLagMicros, (System.nanoTime() - due) / 1000);
      if (!inFlight.tryAcquire()) {
        skipped++;
        continue;
      }
      sent++;
      final int n = i;
      HttpRequest request =
          kannel
              ? HttpRequest.newBuilder(URI.create(base + "&dlr-mask=1&dlr-url=" + URLEncoder.encode(
                      dlrUrl + "?type=%d&sent=" + System.currentTimeMillis(),
                      StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(10))
                  .build()
              : requests[i % requests.length];
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                long now = System.nanoTime();
                if (failure != null) {
                  if (failure instanceof java.net.http.HttpTimeoutException
                      || failure.getCause() instanceof java.net.http.HttpTimeoutException) {
                    timeouts.incrementAndGet();
                  } else {
                    errors.incrementAndGet();
                  }
                } else {
                  byStatus.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                      .incrementAndGet();
                  latencyMicros[n] = (now - due) / 1000;
                }
                lastAnswerNanos.accumulateAndGet(now, Math::max);
                answered.incrementAndGet();
                inFlight.release();
              });
    }
    long sendEnd = System.nanoTime();
    long deadline = sendEnd + 15_000_000_000L;
    while (answered.get() < sent && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    int unanswered = sent - answered.get();

    long[] lat = Arrays.stream(latencyMicros).filter(v -> v >= 0).sorted().toArray();
    Map<Integer, Integer> statuses = new TreeMap<>();
    byStatus.forEach((k, v) -> statuses.put(k, v.get()));
    int accepted = statuses.getOrDefault(202, 0);
    int non202 = statuses.entrySet().stream().filter(e -> e.getKey() != 202)
        .mapToInt(Map.Entry::getValue).sum();
    double sendSeconds = (sendEnd - start) / 1e9;
    double answerSeconds = (Math.max(lastAnswerNanos.get(), sendEnd) - start) / 1e9;
    System.out.printf(
        "offered=%d sent=%d skipped_at_cap=%d accepted=%d non_202=%d errors=%d timeouts=%d"
            + " unanswered=%d offered_per_s=%.0f accepted_per_s=%.0f accept_p50_ms=%s"
            + " accept_p99_ms=%s accept_max_ms=%s generator_max_lag_ms=%.1f statuses=%s%n",
        total, sent, skipped, accepted, non202, errors.get(), timeouts.get(), unanswered,
        total / sendSeconds, accepted / answerSeconds, pct(lat, 0.50), pct(lat, 0.99),
        lat.length == 0 ? "-" : String.format("%.1f", lat[lat.length - 1] / 1000.0),
        maxLagMicros / 1000.0, statuses.toString().replace(" ", ""));
    System.exit(0);
  }

  static String pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return "-";
    }
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return String.format("%.1f", sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1000.0);
  }
}
