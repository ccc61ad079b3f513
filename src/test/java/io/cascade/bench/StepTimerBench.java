package io.cascade.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.SmscPeers;
import io.cascade.support.StepPeers;
import io.cascade.support.TestApi;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * How late a step's timeout fires under load; run by {@code bench/steps/run.sh}, not by the test
 * suite (the class name matches no surefire pattern). Sends {@code bench.step-messages} SMS-then-
 * WhatsApp messages at {@code bench.rate} per second to an SMSC number that never gets a receipt
 * ({@code +49176...}), with {@code timeoutSeconds: 5}, while as many SMS-only messages (delivered
 * by receipt) flow alongside. Per message, from the stored attempts: lateness = start of the
 * WhatsApp attempt - (end of the SMS attempt + 5 s), which is when the step was due. It covers the
 * step timer's check interval plus the republish, the queue and the dispatcher's claim. Prints
 * p50/p99/max and appends the row to {@code bench/results/steps.txt}.
 */
@QuarkusTest
@WithTestResource(StepPeers.class)
class StepTimerBench {

  private static final Path RESULTS = Path.of("bench/results/steps.txt");
  private static final int MESSAGES = Integer.getInteger("bench.step-messages", 2_000);
  private static final int RATE = Integer.getInteger("bench.rate", 50);
  private static final int TIMEOUT_SECONDS = 5;
  private static final String WA_MESSAGES =
      "/v21.0/" + WireMockPeer.WA_PHONE_NUMBER_ID + "/messages";

  @ConfigProperty(name = "quarkus.http.test-port")
  int testPort;

  @ConfigProperty(name = "cascade.steps.check-interval")
  Duration checkInterval;

  @Inject Pool database;

  @Test
  void timeoutLatenessUnderLoad() throws Exception {
    SmscPeers.A.reset();
    SmscPeers.B.reset();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> SmscPeers.A.hasBoundSession() && SmscPeers.B.hasBoundSession());
    // WhatsApp (wa) takes every message.
    WireMockPeer.server()
        .stubFor(
            post(urlEqualTo(WA_MESSAGES))
                .atPriority(1)
                .willReturn(
                    aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody(
                            "{\"messaging_product\": \"whatsapp\","
                                + " \"messages\": [{\"id\": \"wamid.bench\"}]}")));
    TestApi.Tenant steps = TestApi.newTenant();
    TestApi.Tenant other = TestApi.newTenant();
    HttpClient http = HttpClient.newHttpClient();
    URI endpoint = URI.create("http://127.0.0.1:" + testPort + "/v1/messages");
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger otherAccepted = new AtomicInteger();
    Instant started = Instant.now();
    long start = System.nanoTime();
    long interval = 1_000_000_000L / RATE;
    for (int i = 0; i < MESSAGES; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      String stepped =
          "{\"route\":[{\"channel\":\"sms\",\"to\":\"+49176"
              + String.format(Locale.ROOT, "%07d", i)
              + "\",\"timeoutSeconds\":"
              + TIMEOUT_SECONDS
              + "},{\"channel\":\"whatsapp\",\"to\":\"+4917700"
              + String.format(Locale.ROOT, "%06d", i)
              + "\",\"waitFor\":\"sent\"}],\"text\":\"Your code is "
              + i
              + "\"}";
      String plain =
          "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915100"
              + String.format(Locale.ROOT, "%06d", i)
              + "\"}],\"text\":\"Your code is "
              + i
              + "\"}";
      send(http, endpoint, steps.key(), stepped, accepted);
      send(http, endpoint, other.key(), plain, otherAccepted);
    }
    double sendSeconds = (System.nanoTime() - start) / 1e9;

    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    long moved = 0;
    while (System.nanoTime() < deadline) {
      moved = moved(steps.id());
      if (moved >= MESSAGES) {
        break;
      }
      Thread.sleep(500);
    }
    Row figures =
        database
            .preparedQuery(
                "SELECT count(*) AS n,"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY late) AS p50,"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY late) AS p99,"
                    + " max(late) AS max, min(late) AS min FROM ("
                    + " SELECT extract(epoch FROM (min(w.started_at)"
                    + " - (s.ended_at + make_interval(secs => $2)))) * 1000 AS late"
                    + " FROM message m JOIN attempt s ON s.message_id = m.id AND s.step = 0"
                    + " JOIN attempt w ON w.message_id = m.id AND w.step = 1"
                    + " WHERE m.tenant_id = $1 GROUP BY m.id, s.ended_at) l")
            .execute(Tuple.of(steps.id(), (double) TIMEOUT_SECONDS))
            .await()
            .indefinitely()
            .iterator()
            .next();
    Benchmarks.record(
        RESULTS,
        String.format(
            Locale.ROOT,
            "step-timeout-lateness messages=%d rate_per_s=%d other_per_s=%d timeout_s=%d"
                + " check_interval=%s accepted=%d other_accepted=%d send_s=%.1f moved=%d"
                + " late_p50_ms=%.0f late_p99_ms=%.0f late_max_ms=%.0f late_min_ms=%.0f"
                + " started=%s",
            MESSAGES,
            RATE,
            RATE,
            TIMEOUT_SECONDS,
            checkInterval,
            accepted.get(),
            otherAccepted.get(),
            sendSeconds,
            moved,
            figures.getDouble("p50"),
            figures.getDouble("p99"),
            figures.getDouble("max"),
            figures.getDouble("min"),
            started));
    assertThat(moved).isEqualTo(MESSAGES);
  }

  private static void send(
      HttpClient http, URI endpoint, String key, String body, AtomicInteger accepted) {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (response != null && response.statusCode() == 202) {
                accepted.incrementAndGet();
              }
            });
  }

  /** Messages of the tenant whose WhatsApp step has started. */
  private long moved(UUID tenantId) {
    return database
        .preparedQuery(
            "SELECT count(DISTINCT m.id) FROM message m JOIN attempt w ON w.message_id = m.id"
                + " AND w.step = 1 WHERE m.tenant_id = $1")
        .execute(Tuple.of(tenantId))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getLong(0);
  }
}
