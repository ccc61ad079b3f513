package io.cascade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Channel;
import io.cascade.channel.GuardedProvider;
import io.cascade.channel.ProviderPool;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * SMPP throughput against a local SMSC ({@link BenchSmsc}); run by {@code bench/providers/run.sh},
 * not by the test suite (the class name matches no surefire pattern). Two figures:
 *
 * <ol>
 *   <li><b>provider</b>: {@code submit_sm} per second through the guarded SMPP provider alone, and
 *       how fast and how completely the SMSC's receipts are stored (lost must be 0);
 *   <li><b>end to end</b>: messages per second from {@code POST /v1/messages} to {@code delivered}
 *       by receipt, through the outbox, the quorum queue and the dispatcher.
 * </ol>
 *
 * Prints one line per figure and appends it to {@code bench/results/providers.txt}.
 */
@QuarkusTest
@WithTestResource(BenchSmsc.class)
class ProviderBench {

  private static final int SUBMITS = Integer.getInteger("bench.submits", 20_000);
  private static final int IN_FLIGHT = Integer.getInteger("bench.in-flight", 64);
  private static final int MESSAGES = Integer.getInteger("bench.messages", 3_000);
  private static final int HTTP_IN_FLIGHT = Integer.getInteger("bench.http-in-flight", 16);

  @ConfigProperty(name = "quarkus.http.test-port")
  int testPort;

  @Inject ProviderPool providers;
  @Inject Pool database;

  @Test
  void smppProviderThroughput() throws Exception {
    GuardedProvider smpp = providers.provider(Channel.SMS, BenchSmsc.PROVIDER);
    long warmUpBefore = Benchmarks.storedReceipts(database, BenchSmsc.PROVIDER);
    Benchmarks.sendThrough(
        smpp, Channel.SMS, i -> "+4960" + i, 2_000, IN_FLIGHT); // warm-up: JIT, session, pools
    awaitReceipts(warmUpBefore + 2_000, Duration.ofSeconds(60));

    long receiptsBefore = Benchmarks.storedReceipts(database, BenchSmsc.PROVIDER);
    long start = System.nanoTime();
    int sent = Benchmarks.sendThrough(smpp, Channel.SMS, i -> "+4960" + i, SUBMITS, IN_FLIGHT);
    double submitSeconds = (System.nanoTime() - start) / 1e9;
    long stored = awaitReceipts(receiptsBefore + sent, Duration.ofSeconds(120)) - receiptsBefore;
    double receiptSeconds = (System.nanoTime() - start) / 1e9;

    Benchmarks.record(
        String.format(
            Locale.ROOT,
            "smpp-provider submits=%d in_flight=%d window=%s sent=%d submit_per_s=%.0f"
                + " receipts_stored=%d receipts_lost=%d receipts_refused=%d"
                + " submit_to_last_receipt_per_s=%.0f",
            SUBMITS,
            IN_FLIGHT,
            System.getProperty("bench.window", "32"),
            sent,
            sent / submitSeconds,
            stored,
            sent - stored,
            BenchSmsc.SMSC.receiptsRefused.get(),
            stored / receiptSeconds));
    assertThat(sent).isEqualTo(SUBMITS);
    assertThat(stored).isEqualTo(sent);
  }

  @Test
  void endToEndThroughSmpp() throws Exception {
    TestApi.Tenant tenant = TestApi.newTenant();
    Instant start = Instant.now();
    long startNanos = System.nanoTime();
    // java.net.http with a bounded number of requests in flight: RestAssured's per-request cost
    // would be the bottleneck here, not the service.
    HttpClient http = HttpClient.newHttpClient();
    URI endpoint = URI.create("http://127.0.0.1:" + testPort + "/v1/messages");
    Semaphore inFlight = new Semaphore(HTTP_IN_FLIGHT);
    AtomicInteger accepted = new AtomicInteger();
    for (int i = 0; i < MESSAGES; i++) {
      inFlight.acquire();
      String body =
          "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915100"
              + i
              + "\"}],"
              + "\"text\":\"Your code is "
              + i
              + "\"}";
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .header("Authorization", "Bearer " + tenant.key())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                if (response != null && response.statusCode() == 202) {
                  accepted.incrementAndGet();
                }
                inFlight.release();
              });
    }
    inFlight.acquire(HTTP_IN_FLIGHT);
    double acceptSeconds = (System.nanoTime() - startNanos) / 1e9;
    long delivered = awaitDelivered(tenant.id(), MESSAGES, Duration.ofSeconds(300));
    double deliverSeconds = (System.nanoTime() - startNanos) / 1e9;

    Benchmarks.record(
        String.format(
            Locale.ROOT,
            "smpp-end-to-end messages=%d http_in_flight=%d accepted_per_s=%.0f delivered=%d"
                + " delivered_per_s=%.0f not_delivered=%d started=%s",
            MESSAGES,
            HTTP_IN_FLIGHT,
            accepted.get() / acceptSeconds,
            delivered,
            delivered / deliverSeconds,
            MESSAGES - delivered,
            start));
    assertThat(delivered).isEqualTo(MESSAGES);
  }

  private long awaitReceipts(long expected, Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    long stored = Benchmarks.storedReceipts(database, BenchSmsc.PROVIDER);
    while (stored < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
      stored = Benchmarks.storedReceipts(database, BenchSmsc.PROVIDER);
    }
    return stored;
  }

  private long awaitDelivered(UUID tenantId, long expected, Duration atMost)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    long delivered = 0;
    while (System.nanoTime() < deadline) {
      delivered =
          database
              .preparedQuery(
                  "SELECT count(*) FROM message WHERE tenant_id = $1 AND status = 'DELIVERED'")
              .execute(io.vertx.mutiny.sqlclient.Tuple.of(tenantId))
              .await()
              .indefinitely()
              .iterator()
              .next()
              .getLong(0);
      if (delivered >= expected) {
        break;
      }
      Thread.sleep(100);
    }
    return delivered;
  }
}
