package io.cascade.outbound;

import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.cascade.support.RawHttpEndpoint;
import io.cascade.support.TestApi;
import io.cascade.support.TestDns;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant URLs reach public addresses only: with real peers on loopback, where 127.0.0.2 plays the
 * public internet (allowlisted) and 127.0.0.1 the service's own network (refused), and a DNS server
 * on loopback whose names resolve where a test says.
 */
@QuarkusTest
@TestProfile(OutboundSafetyTest.LoopbackIsPrivate.class)
class OutboundSafetyTest {

  /** Only 127.0.0.2 is allowlisted; tenant hosts are resolved by {@link Dns}. */
  public static class LoopbackIsPrivate implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cascade.outbound.allow", "127.0.0.2");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(Dns.class));
    }
  }

  /** Starts the test DNS server and points the service at it. */
  public static class Dns implements QuarkusTestResourceLifecycleManager {
    static TestDns server;

    @Override
    public Map<String, String> start() {
      try {
        server = new TestDns();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return Map.of("cascade.outbound.dns-servers", server.address());
    }

    @Override
    public void stop() {
      server.close();
    }
  }

  private String key;
  private RawHttpEndpoint outside; // 127.0.0.2: a tenant's endpoint on the internet
  private RawHttpEndpoint inside; // 127.0.0.1: something in the service's own network

  @BeforeEach
  void setUp() throws IOException {
    key = TestApi.newTenant().key();
    outside = new RawHttpEndpoint("127.0.0.2", 0);
    // The same port on the other address: a name that moves from one to the other hits it.
    inside = new RawHttpEndpoint("127.0.0.1", outside.port());
  }

  @AfterEach
  void tearDown() throws IOException {
    outside.close();
    inside.close();
  }

  @Test
  void theWebhookMayNotPointIntoTheServicesNetwork() {
    Dns.server.set("loopback.test", "127.0.0.1");
    Dns.server.set("mixed.test", "127.0.0.2", "127.0.0.1");
    Dns.server.set("metadata.test", "::ffff:169.254.169.254");
    Map<String, String> refused = new HashMap<>();
    refused.put("http://127.0.0.1:8081/admin/v1/tenants", "127.0.0.1 is loopback");
    refused.put("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local");
    refused.put("http://2130706433:5432/", "127.0.0.1 is loopback");
    refused.put("http://0177.0.0.1/", "127.0.0.1 is loopback");
    refused.put("http://[::ffff:127.0.0.1]/", "127.0.0.1 is loopback");
    refused.put("http://[::1]:8081/", "0:0:0:0:0:0:0:1 is loopback");
    refused.put("http://[fe80::1]/", "is link-local");
    refused.put("http://10.0.0.1/", "10.0.0.1 is private");
    refused.put("http://100.64.0.1/", "100.64.0.1 is carrier-grade NAT");
    refused.put("http://0.0.0.0:8081/", "0.0.0.0 is \"this network\"");
    refused.put("http://255.255.255.255/", "is reserved or broadcast");
    refused.put("http://loopback.test/", "host loopback.test may not be called: 127.0.0.1");
    // One private record among public ones refuses the name: the client might pick that one.
    refused.put("http://mixed.test/", "host mixed.test may not be called: 127.0.0.1");
    refused.put("http://metadata.test/", "169.254.169.254 is link-local");
    refused.put("http://unknown.test/", "host unknown.test does not resolve");
    refused.put("http://[fe80::1%25eth0]/", "names a network interface");
    refused.forEach(
        (url, why) ->
            as(key)
                .contentType(ContentType.JSON)
                .body(Map.of("url", url))
                .put("/v1/webhook")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", containsString("url-refused"))
                .body("errors[0].field", equalTo("url"))
                .body("errors[0].message", containsString(why)));
    // Numbers a URL parser takes for no host at all: not a URL to call.
    for (String url : List.of("http://0x7f.1/", "http://256.1.1.1/", "http://1.2.3.4.5/")) {
      as(key)
          .contentType(ContentType.JSON)
          .body(Map.of("url", url))
          .put("/v1/webhook")
          .then()
          .statusCode(400)
          .body("errors[0].field", equalTo("url"));
    }
    as(key).get("/v1/webhook").then().statusCode(404);

    Dns.server.set("public.test", "127.0.0.2");
    putWebhook("http://public.test:" + outside.port() + "/events");
  }

  @Test
  void aCallbackUrlIntoTheServicesNetworkIsRefusedAndNothingStored() {
    putWebhook(outside.url("/events"));
    for (String url : List.of("http://127.0.0.1:5432/x", "http://169.254.169.254/")) {
      Map<String, Object> body = new HashMap<>(message(List.of(sms())));
      body.put("callbackUrl", url);
      as(key)
          .contentType(ContentType.JSON)
          .body(body)
          .post("/v1/messages")
          .then()
          .statusCode(422)
          .contentType("application/problem+json")
          .body("errors[0].field", equalTo("callbackUrl"));
    }
    as(key).get("/v1/messages").then().statusCode(200).body("items.size()", equalTo(0));
  }

  @Test
  void aNameThatRebindsToLoopbackAfterTheCheckIsNotCalled() {
    Dns.server.set("rebind.test", "127.0.0.2");
    putWebhook("http://rebind.test:" + outside.port() + "/events");
    Dns.server.set("rebind.test", "127.0.0.1");

    String id = send(key, message(List.of(sms())));

    JsonPath event = awaitFirstEvent(id, "failed");
    assertThat(event.getString("[0].delivery.lastError")).isEqualTo("blocked_address");
    assertThat(event.getInt("[0].delivery.attempts")).isZero();
    assertThat(inside.requests()).isEmpty();
    assertThat(outside.requests()).isEmpty();
  }

  @Test
  void aRedirectIsAFailedAttemptAndNotFollowed() {
    outside.answer(
        "HTTP/1.1 303 See Other\r\nLocation: "
            + inside.url("/internal")
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    putWebhook(outside.url("/events"));

    String id = send(key, message(List.of(sms())));

    JsonPath event = awaitFirstEvent(id, "failed");
    assertThat(event.getString("[0].delivery.lastError")).isEqualTo("http_303");
    assertThat(event.getInt("[0].delivery.attempts")).isEqualTo(1);
    assertThat(inside.requests()).isEmpty();
  }

  @Test
  void anEndlessBodyIsCutOffAndTheAnswerStands() {
    outside.endlessBody(200);
    putWebhook(outside.url("/events"));
    Instant sent = Instant.now();

    String id = send(key, message(List.of(sms())));

    awaitFirstEvent(id, "delivered");
    await().atMost(Duration.ofSeconds(5)).until(() -> !outside.cutOff().isEmpty());
    // 64 KiB read, the rest refused with the connection: what got written is that plus the
    // sockets' buffers, nowhere near what an unbounded read would have taken in the meantime.
    assertThat(outside.bytesWritten()).isLessThan(16L * 1024 * 1024);
    assertThat(Duration.between(sent, outside.cutOff().get(0))).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anEndpointTricklingItsAnswerIsCutAtTheDeadline() {
    outside.trickle(100); // a byte every 100 ms: never idle for long, never done
    putWebhook(outside.url("/events"));

    String id = send(key, message(List.of(sms())));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "timeout".equals(events(id).getString("[0].delivery.lastError")));
    await().atMost(Duration.ofSeconds(5)).until(() -> !outside.cutOff().isEmpty());
    // The deadline is 1 s in tests: the first exchange was cut near it, not after minutes.
    Instant firstRequest = outside.requests().get(0).at();
    assertThat(Duration.between(firstRequest, outside.cutOff().get(0)))
        .isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  void retryAfterZeroWaitsAtLeastASecond() throws InterruptedException {
    outside.answer(
        "HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    putWebhook(outside.url("/events"));

    String id = send(key, message(List.of(sms())));
    await().atMost(Duration.ofSeconds(10)).until(() -> !outside.requests().isEmpty());
    Thread.sleep(4_500);

    // One at once, then one a second at most: 5 in 4.5 s (or 6, a poll's jitter). Without the
    // floor, a poll every 200 ms (and one after every delivery) would have made dozens.
    assertThat(outside.requests().size()).isBetween(3, 6);
    assertThat(events(id).getString("[0].delivery.lastError")).isEqualTo("http_503");
  }

  @Test
  void connectionErrorsAreClassifiedNotQuoted() throws IOException {
    int closedPort;
    try (RawHttpEndpoint gone = new RawHttpEndpoint("127.0.0.2", 0)) {
      closedPort = gone.port();
    }
    putWebhook("http://127.0.0.2:" + closedPort + "/events");
    String refused = send(key, message(List.of(sms())));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> "connection_refused".equals(events(refused).getString("[0].delivery.lastError")));

    // TLS to an endpoint that answers in plain HTTP: a handshake failure, whatever it says.
    try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
      Thread greeter =
          new Thread(
              () -> {
                while (!plain.isClosed()) {
                  try (Socket socket = plain.accept()) {
                    socket.getOutputStream().write("HTTP/1.1 400 Bad\r\n\r\n".getBytes());
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      greeter.setDaemon(true);
      greeter.start();
      putWebhook("https://127.0.0.2:" + plain.getLocalPort() + "/events");
      String tls = send(key, message(List.of(sms())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> "tls_error".equals(events(tls).getString("[0].delivery.lastError")));
    }
  }

  private void putWebhook(String url) {
    as(key)
        .contentType(ContentType.JSON)
        .body(Map.of("url", url))
        .put("/v1/webhook")
        .then()
        .statusCode(200);
  }

  private JsonPath events(String id) {
    return TestApi.events(key, id);
  }

  /** Waits until the message's first event is in {@code state}. */
  private JsonPath awaitFirstEvent(String id, String state) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              JsonPath events = events(id);
              return !events.getList("$").isEmpty()
                  && state.equals(events.getString("[0].delivery.state"));
            });
    return events(id);
  }
}
