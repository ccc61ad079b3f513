import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for bench/throughput/run.sh --priority: tenant A posts BULK messages with priority bulk as
 * fast as CONCURRENCY senders can; once a tenth of them is in, tenant B posts HIGH messages with
 * priority high, one every 50 ms, meanwhile. Both use the sms+email route. Bounded: A stops after
 * its messages or 300 s, whichever comes first. A_PRIORITY and B_PRIORITY (default bulk and high)
 * change the two tenants' classes: both normal measure fair share between tenants of one class.
 *
 * <p>Run with {@code CASCADE_BENCH_KEY=<key of A> B_KEY=<key of B> java bench/throughput/PriorityLoad.java <base-url> BULK
 * HIGH [CONCURRENCY=16]}. Prints one line of key=value pairs; the accept-to-delivered times come
 * from the database afterwards.
 */
public class PriorityLoad {

  static String body(String priority) {
    return "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"},"
        + "{\"channel\":\"email\",\"to\":\"user@example.com\",\"subject\":\"Code\"}],"
        + "\"text\":\"Your code is 123456\",\"priority\":\""
        + priority
        + "\"}";
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int bulk = Integer.parseInt(args[1]);
    int high = Integer.parseInt(args[2]);
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(4))
            .build();
    String aPriority = System.getenv().getOrDefault("A_PRIORITY", "bulk");
    String bPriority = System.getenv().getOrDefault("B_PRIORITY", "high");
    HttpRequest bulkRequest = request(base, System.getenv("CASCADE_BENCH_KEY"), body(aPriority));
    HttpRequest highRequest = request(base, System.getenv("B_KEY"), body(bPriority));
    long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();

    AtomicInteger next = new AtomicInteger();
    ConcurrentHashMap<Integer, AtomicInteger> bulkStatus = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    CompletableFuture<?>[] senders = new CompletableFuture<?>[concurrency];
    for (int s = 0; s < concurrency; s++) {
      senders[s] =
          CompletableFuture.runAsync(
              () -> {
                while (next.getAndIncrement() < bulk && System.nanoTime() < deadline) {
                  int status = send(client, bulkRequest);
                  bulkStatus.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                }
              });
    }
    while (next.get() < bulk / 10 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    ConcurrentHashMap<Integer, AtomicInteger> highStatus = new ConcurrentHashMap<>();
    int bulkSentBeforeHigh = next.get();
    for (int i = 0; i < high; i++) {
      int status = send(client, highRequest);
      highStatus.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
      Thread.sleep(50);
    }
    int bulkSentDuringHigh = next.get() - bulkSentBeforeHigh;
    CompletableFuture.allOf(senders).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    int bulkAccepted = bulkStatus.getOrDefault(202, new AtomicInteger()).get();
    System.out.printf(
        "bulk_sent=%d bulk_accepted=%d bulk_accept_per_s=%.0f bulk_sent_while_high=%d"
            + " high_sent=%d high_accepted=%d bulk_statuses=%s high_statuses=%s%n",
        Math.min(next.get(), bulk),
        bulkAccepted,
        bulkAccepted / seconds,
        bulkSentDuringHigh,
        high,
        highStatus.getOrDefault(202, new AtomicInteger()).get(),
        bulkStatus,
        highStatus);
    System.exit(0); // the HTTP client's threads would keep the JVM alive
  }

  static HttpRequest request(String base, String key, String body) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static int send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
