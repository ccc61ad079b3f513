package io.cascade.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static io.cascade.support.TestApi.whatsapp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tenant webhooks end to end: the API, events recorded with the status changes, signed deliveries
 * to real HTTP receivers (WireMock on loopback), retries, and isolation between tenants.
 */
@QuarkusTest
@WithTestResource(WebhookReceivers.class)
class WebhookTest {

  @Inject Pool database;
  @Inject WebhookConfig config;
  @Inject WebhookSecrets secrets;

  private String key;

  /** Whether one delivery has gone through in this JVM (see {@link #warmUpDeliveries}). */
  private static boolean warm;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
    warmUpDeliveries();
  }

  /**
   * The very first delivery (cold web client, JIT, WireMock) can outlast the test profile's 1 s
   * webhook timeout and be retried, which would spoil the attempt counts of whichever test runs
   * first.
   */
  private void warmUpDeliveries() {
    if (warm) {
      return;
    }
    webhookAnswering(204);
    String id = send(key, message(List.of(sms())));
    awaitEvents(id, 1, "delivered");
    warm = true;
    key = TestApi.newTenant().key();
  }

  @Test
  void putAnswersANewSecretOnceAndGetShowsOnlyTheUrl() {
    as(key).get("/v1/webhook").then().statusCode(404).contentType("application/problem+json");

    String url = "https://127.0.0.1:8443/cascade?x=1";
    JsonPath first = put(key, url).then().statusCode(200).extract().jsonPath();
    assertThat(first.getString("url")).isEqualTo(url);
    assertThat(first.getString("secret")).matches("whsec_[A-Za-z0-9_-]{43}");
    String second = put(key, url).then().statusCode(200).extract().path("secret");
    assertThat(second).isNotEqualTo(first.getString("secret"));

    JsonPath shown = as(key).get("/v1/webhook").then().statusCode(200).extract().jsonPath();
    assertThat(shown.getString("url")).isEqualTo(url);
    assertThat(shown.getMap("$")).containsOnlyKeys("url");

    as(key).delete("/v1/webhook").then().statusCode(204);
    as(key).get("/v1/webhook").then().statusCode(404);
  }

  /**
   * Signing secrets are stored sealed (the tests run with a key, as production should); one stored
   * before sealing is sealed at start. That deliveries are signed with the secret the PUT answered
   * is what the other tests here check.
   */
  @Test
  void secretsAreSealedAtRestAndOldOnesSealedAgain() {
    TestApi.Tenant tenant = TestApi.newTenant();
    String secret =
        put(tenant.key(), "https://127.0.0.1:8443/sealed")
            .then()
            .statusCode(200)
            .extract()
            .path("secret");
    String stored = storedSecret(tenant.id());
    assertThat(stored).startsWith("sealed:test-1:").doesNotContain(secret.substring(6));

    database
        .preparedQuery("UPDATE tenant_webhook SET secret = $2 WHERE tenant_id = $1")
        .execute(Tuple.of(tenant.id(), secret))
        .await()
        .atMost(Duration.ofSeconds(5));
    assertThat(secrets.resealAll().await().atMost(Duration.ofSeconds(10))).isPositive();
    String resealed = storedSecret(tenant.id());
    assertThat(resealed).startsWith("sealed:test-1:").isNotEqualTo(stored);
    assertThat(
            as(tenant.key())
                .get("/v1/webhook")
                .then()
                .statusCode(200)
                .extract()
                .path("url")
                .toString())
        .endsWith("/sealed");
    try {
      assertThat(secrets.open(tenant.id(), resealed)).isEqualTo(secret);
    } catch (SecretSealer.Unreadable e) {
      throw new AssertionError(e);
    }
  }

  private String storedSecret(UUID tenantId) {
    return database
        .preparedQuery("SELECT secret FROM tenant_webhook WHERE tenant_id = $1")
        .execute(Tuple.of(tenantId))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getString("secret");
  }

  @Test
  void refusesUrlsThatAreNotAbsoluteHttp() {
    for (String bad :
        List.of("ftp://example.com/x", "/relative", "not a url", "https://" + "a".repeat(2050))) {
      put(key, bad)
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors[0].field", org.hamcrest.Matchers.equalTo("url"));
    }
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("callbackUrl", "mailto:someone@example.com");
    as(key)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .body("errors[0].field", org.hamcrest.Matchers.equalTo("callbackUrl"));
    as(key).get("/v1/webhook").then().statusCode(404);
  }

  @Test
  void failoverAndDeliveryArriveSignedInSequence() throws Exception {
    String path = newPath();
    String secret = setWebhook(key, WebhookReceivers.receiver(), path);
    TestApi.simulator("sms", "reject", 0);

    String id = send(key, message(List.of(sms(), whatsapp())));
    awaitStatus(key, id, "delivered");

    List<LoggedRequest> requests = awaitRequests(WebhookReceivers.receiver(), path, 2);
    for (LoggedRequest request : requests) {
      assertThat(request.getHeader("Content-Type")).startsWith("application/json");
      assertSigned(request, secret);
    }
    JsonObject failover = new JsonObject(requests.get(0).getBodyAsString());
    JsonObject delivered = new JsonObject(requests.get(1).getBodyAsString());
    assertThat(failover.getString("type")).isEqualTo("message.failover");
    assertThat(failover.getString("messageId")).isEqualTo(id);
    assertThat(failover.getInteger("sequence")).isEqualTo(1);
    assertThat(failover.getJsonObject("data").getString("from")).isEqualTo("sms");
    assertThat(failover.getJsonObject("data").getString("to")).isEqualTo("whatsapp");
    assertThat(failover.getJsonObject("data").getString("reason")).isEqualTo("rejected");
    assertThat(delivered.getString("type")).isEqualTo("message.delivered");
    assertThat(delivered.getInteger("sequence")).isEqualTo(2);
    assertThat(delivered.getJsonObject("data").getString("status")).isEqualTo("delivered");
    assertThat(delivered.getJsonObject("data").getString("channel")).isEqualTo("whatsapp");
    assertThat(delivered.getString("id")).isNotBlank();
    assertThat(delivered.getString("createdAt")).isNotBlank();

    JsonPath events = awaitEvents(id, 2, "delivered");
    assertThat(events.getList("type")).containsExactly("message.failover", "message.delivered");
    assertThat(events.getList("sequence")).containsExactly(1, 2);
    assertThat(events.getInt("[1].delivery.attempts")).isEqualTo(1);
    assertThat(events.getString("[1].delivery.deliveredAt")).isNotNull();
  }

  @Test
  void aMessagesCallbackUrlWinsOverTheTenants() throws Exception {
    String tenantPath = newPath();
    String ownPath = newPath();
    String secret = setWebhook(key, WebhookReceivers.receiver(), tenantPath);
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("callbackUrl", WebhookReceivers.receiver().baseUrl() + ownPath);

    String id = send(key, body);
    assertThat(awaitStatus(key, id, "delivered").getString("callbackUrl"))
        .isEqualTo(WebhookReceivers.receiver().baseUrl() + ownPath);

    LoggedRequest request = awaitRequests(WebhookReceivers.receiver(), ownPath, 1).get(0);
    assertSigned(request, secret);
    assertThat(new JsonObject(request.getBodyAsString()).getString("type"))
        .isEqualTo("message.delivered");
    assertThat(WebhookReceivers.receiver().findAll(postRequestedFor(urlEqualTo(tenantPath))))
        .isEmpty();
  }

  @Test
  void removingTheWebhookGivesUpPendingEventsCallbackUrlsIncluded() {
    String tenantPath = newPath();
    String ownPath = newPath();
    setWebhook(key, WebhookReceivers.receiver(), tenantPath);
    // Both receivers ask to come back in a minute: the events are pending, none in flight.
    for (String path : List.of(tenantPath, ownPath)) {
      WebhookReceivers.receiver()
          .stubFor(
              post(urlEqualTo(path))
                  .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "60")));
    }
    String toTenantUrl = send(key, message(List.of(sms())));
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("callbackUrl", WebhookReceivers.receiver().baseUrl() + ownPath);
    String toOwnUrl = send(key, body);
    awaitAttempts(toTenantUrl, 1);
    awaitAttempts(toOwnUrl, 1);

    as(key).delete("/v1/webhook").then().statusCode(204);
    // Given up at once, not when they fall due; a new webhook brings none of them back.
    setWebhook(key, WebhookReceivers.receiver(), tenantPath);

    for (String id : List.of(toTenantUrl, toOwnUrl)) {
      JsonPath events = events(id);
      assertThat(events.getString("[0].delivery.state")).isEqualTo("failed");
      assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(1);
      assertThat(events.getString("[0].delivery.lastError"))
          .isEqualTo("the tenant's webhook was removed");
      assertThat(events.getString("[0].delivery.nextAttemptAt")).isNull();
    }
  }

  @Test
  void serverErrorsAreRetriedUntilDelivered() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    String scenario = "flaky-" + path;
    WireMockServer receiver = WebhookReceivers.receiver();
    receiver.stubFor(
        post(urlEqualTo(path))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(500))
            .willSetStateTo("second"));
    receiver.stubFor(
        post(urlEqualTo(path))
            .inScenario(scenario)
            .whenScenarioStateIs("second")
            .willReturn(aResponse().withStatus(500))
            .willSetStateTo("ok"));
    receiver.stubFor(
        post(urlEqualTo(path))
            .inScenario(scenario)
            .whenScenarioStateIs("ok")
            .willReturn(aResponse().withStatus(200)));

    String id = send(key, message(List.of(sms())));

    JsonPath events = awaitEvents(id, 1, "delivered");
    assertThat(events.getString("[0].type")).isEqualTo("message.delivered");
    assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(3);
    assertThat(events.getString("[0].delivery.lastError")).isNull();
    assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).hasSize(3);
    // The same event, not a new one per attempt.
    assertThat(
            receiver.findAll(postRequestedFor(urlEqualTo(path))).stream()
                .map(r -> new JsonObject(r.getBodyAsString()).getString("id"))
                .distinct())
        .hasSize(1);
  }

  @Test
  void aClientErrorIsGivenUpWithoutRetry() throws InterruptedException {
    String path = webhookAnswering(400);

    String id = send(key, message(List.of(sms())));

    JsonPath events = awaitEvents(id, 1, "failed");
    assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(1);
    assertThat(events.getString("[0].delivery.lastError")).isEqualTo("http_400");
    assertThat(events.getString("[0].delivery.nextAttemptAt")).isNull();
    assertThat(requests(path)).hasSize(1);
    assertNoFurtherRequests(path);
  }

  @Test
  void retryAfterIsHonoured() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    busyOnceThenOk(path, 429, "2");

    String id = send(key, message(List.of(sms())));

    awaitEvents(id, 1, "delivered");
    List<LoggedRequest> requests = requests(path);
    assertThat(requests).hasSize(2);
    long gapMillis =
        requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
    // Without Retry-After the first retry would come after about 200 ms.
    assertThat(gapMillis).isGreaterThanOrEqualTo(1_900);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    // A whole second, as an HTTP-date has it: 2 to 3 s from now.
    Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
    busyOnceThenOk(path, 503, RetryAfterTest.httpDate(notBefore));

    String id = send(key, message(List.of(sms())));

    awaitEvents(id, 1, "delivered");
    List<LoggedRequest> requests = requests(path);
    assertThat(requests).hasSize(2);
    // The first request came before the date, so there was a wait to honour; the retry (~200 ms
    // later without Retry-After) came not before it.
    assertThat(requests.get(0).getLoggedDate().toInstant()).isBefore(notBefore);
    assertThat(requests.get(1).getLoggedDate().toInstant()).isAfterOrEqualTo(notBefore);
  }

  @ParameterizedTest(name = "Retry-After: {0}")
  @ValueSource(strings = {"90000", "9223372036854775807"})
  void aRetryAfterPastMaxAgeGivesUpAtOnce(String retryAfter) throws InterruptedException {
    // 25 h, past the 24 h max-age from the first attempt on; and Long.MAX_VALUE seconds, capped.
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    WebhookReceivers.receiver()
        .stubFor(
            post(urlEqualTo(path))
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", retryAfter)));

    String id = send(key, message(List.of(sms())));

    JsonPath events = awaitEvents(id, 1, "failed");
    assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(1);
    assertThat(events.getString("[0].delivery.lastError"))
        .isEqualTo("http_503; not delivered within max-age");
    assertThat(events.getString("[0].delivery.nextAttemptAt")).isNull();
    assertNoFurtherRequests(path);
  }

  @Test
  void anEventPastMaxAgeIsGivenUpWithoutAnotherRequest() throws InterruptedException {
    String path = webhookAnswering(500);
    double givenUp = Metrics.sum("cascade_webhooks_total", "outcome=\"given_up\"");
    String id = send(key, message(List.of(sms())));
    awaitAttempts(id, 2);

    // Instead of waiting a day: the event happened 25 h ago while its receiver kept failing.
    backdate(id, config.maxAge().plusHours(1));

    JsonPath events = awaitEvents(id, 1, "failed");
    // Given up when its next retry fell due, without sending it: attempts are the requests made.
    assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(requests(path).size());
    assertThat(events.getString("[0].delivery.lastError"))
        .isEqualTo("http_500; not delivered within max-age");
    assertThat(events.getString("[0].delivery.nextAttemptAt")).isNull();
    assertThat(Metrics.sum("cascade_webhooks_total", "outcome=\"given_up\""))
        .isGreaterThan(givenUp);
    assertNoFurtherRequests(path);
  }

  @Test
  void theLastRetryIsMadeAtMaxAgeAndNoneAfter() throws InterruptedException {
    String path = webhookAnswering(500);
    String id = send(key, message(List.of(sms())));
    awaitAttempts(id, 1);

    // max-age runs out 3 s from now; retries come every ~1 s, so the backoff would overshoot it.
    Instant deadline = backdate(id, config.maxAge().minusSeconds(3)).plus(config.maxAge());

    JsonPath events = awaitEvents(id, 1, "failed");
    List<LoggedRequest> requests = requests(path);
    Instant last = requests.get(requests.size() - 1).getLoggedDate().toInstant();
    // Cut short to fall due at the deadline (not given up before it), and made then.
    assertThat(last).isBetween(deadline.truncatedTo(ChronoUnit.MILLIS), deadline.plusSeconds(2));
    assertThat(events.getInt("[0].delivery.attempts")).isEqualTo(requests.size());
    assertThat(events.getString("[0].delivery.lastError"))
        .isEqualTo("http_500; not delivered within max-age");
    assertNoFurtherRequests(path);
  }

  @Test
  void aTenantsBacklogFlowsAsFastAsItsEndpointAnswers() {
    String path = webhookAnswering(204);
    String id = send(key, message(List.of(sms())));
    awaitEvents(id, 1, "delivered");
    int backlog = 200;
    // A burst of due events of one tenant, as a busy tenant's traffic leaves them: copies of its
    // delivered event.
    database
        .preparedQuery(
            "INSERT INTO webhook_event (id, message_id, tenant_id, type, sequence, url, body,"
                + " created_at, next_attempt_at) SELECT gen_random_uuid(), message_id, tenant_id,"
                + " type, sequence + n, url, body, now(), now() FROM webhook_event,"
                + " generate_series(1, $2) AS n WHERE message_id = $1")
        .execute(Tuple.of(UUID.fromString(id), backlog))
        .await()
        .atMost(Duration.ofSeconds(5));
    long start = System.nanoTime();

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> requests(path).size() == backlog + 1);

    // At most perTenantConcurrency (4) in flight per poll interval (200 ms in tests) would take
    // 10 s; a delivery that ends makes room for the next one at once.
    Duration drained = Duration.ofNanos(System.nanoTime() - start);
    assertThat(drained).isLessThan(Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events(id).getList("delivery.state").stream().allMatch("delivered"::equals));
    assertThat(events(id).getList("$")).hasSize(backlog + 1);
  }

  @Test
  void aDeadEndpointOfOneTenantDoesNotDelayAnother() {
    String slowPath = newPath();
    setWebhook(key, WebhookReceivers.slow(), slowPath);
    List<String> slowIds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      slowIds.add(send(key, message(List.of(sms()))));
    }
    // Tenant A's endpoint times out: its events are being retried.
    awaitAttempts(slowIds.get(0), 1);

    String otherKey = TestApi.newTenant().key();
    String path = newPath();
    setWebhook(otherKey, WebhookReceivers.receiver(), path);
    Instant start = Instant.now();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(send(otherKey, message(List.of(sms()))));
    }
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                WebhookReceivers.receiver().findAll(postRequestedFor(urlEqualTo(path))).size()
                    == 5);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(3));
    for (String id : slowIds) {
      assertThat(events(id).getString("[0].delivery.state")).isEqualTo("pending");
    }
  }

  @Test
  void anEventPendingWhileTheReceiverIsDownIsDeliveredWhenItIsBack() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String path = newPath();
    String secret =
        put(key, "http://127.0.0.1:" + port + path).then().statusCode(200).extract().path("secret");
    String id = send(key, message(List.of(sms())));
    awaitAttempts(id, 2);
    JsonPath down = events(id);
    assertThat(down.getString("[0].delivery.state")).isEqualTo("pending");
    assertThat(down.getString("[0].delivery.lastError")).isNotBlank();
    assertThat(down.getString("[0].delivery.nextAttemptAt")).isNotNull();

    WireMockServer back = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
    back.start();
    try {
      back.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
      awaitEvents(id, 1, "delivered");
      List<LoggedRequest> received = back.findAll(postRequestedFor(urlEqualTo(path)));
      assertThat(received).hasSize(1);
      assertSigned(received.get(0), secret);
    } finally {
      back.stop();
    }
  }

  @Test
  void aRejectedRouteEndsWithMessageFailed() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    TestApi.simulator("sms", "reject", 0);

    String id = send(key, message(List.of(sms())));

    JsonPath events = awaitEvents(id, 1, "delivered");
    assertThat(events.getString("[0].type")).isEqualTo("message.failed");
    assertThat(events.getString("[0].data.status")).isEqualTo("failed");
    assertThat(events.getString("[0].data.reason")).isEqualTo("rejected");
  }

  @Test
  void aMessageThatExpiresWhileWaitingSendsMessageExpired() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    TestApi.simulator("sms", "fail", 0);
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("validitySeconds", 10);

    String id = send(key, body);
    awaitStatus(key, id, "expired", Duration.ofSeconds(30));

    JsonPath events = awaitEvents(id, 1, "delivered");
    assertThat(events.getString("[0].type")).isEqualTo("message.expired");
    assertThat(events.getString("[0].data.status")).isEqualTo("expired");
    JsonObject received =
        new JsonObject(
            awaitRequests(WebhookReceivers.receiver(), path, 1).get(0).getBodyAsString());
    assertThat(received.getString("messageId")).isEqualTo(id);
    assertThat(received.getInteger("sequence")).isEqualTo(1);
  }

  @Test
  void aMessageThatExpiresBetweenStepsSendsFailoverThenExpired() {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    // As in CascadeTest: a 10.5 s voice failure outlasts the 10 s validity, so the dispatcher
    // expires the message when it claims the SMS step.
    TestApi.simulator("voice", "fail", 10_500);
    Map<String, Object> body =
        new HashMap<>(message(List.of(TestApi.step("voice", "+4915112345678"), sms())));
    body.put("validitySeconds", 10);

    String id = send(key, body);
    awaitStatus(key, id, "expired", Duration.ofSeconds(30));

    JsonPath events = awaitEvents(id, 2, "delivered");
    assertThat(events.getList("type")).containsExactly("message.failover", "message.expired");
    assertThat(events.getString("[0].data.from")).isEqualTo("voice");
    assertThat(events.getString("[0].data.to")).isEqualTo("sms");
    assertThat(events.getString("[0].data.reason")).isEqualTo("send_error");
    assertThat(events.getString("[1].data.status")).isEqualTo("expired");
  }

  @Test
  void eventsOfAnotherTenantsMessageAreNotFound() {
    String id = send(key, message(List.of(sms())));
    String otherKey = TestApi.newTenant().key();
    as(otherKey).get("/v1/messages/" + id + "/events").then().statusCode(404);
    as(key).get("/v1/messages/" + UUID.randomUUID() + "/events").then().statusCode(404);
    as(key).get("/v1/messages/" + id + "/events").then().statusCode(200);
  }

  private static io.restassured.response.Response put(String apiKey, String url) {
    return as(apiKey).contentType(ContentType.JSON).body(Map.of("url", url)).put("/v1/webhook");
  }

  private static String setWebhook(String apiKey, WireMockServer server, String path) {
    return put(apiKey, server.baseUrl() + path).then().statusCode(200).extract().path("secret");
  }

  /** Sets the tenant's webhook to a fresh path of the receiver that answers {@code status}. */
  private String webhookAnswering(int status) {
    String path = newPath();
    setWebhook(key, WebhookReceivers.receiver(), path);
    WebhookReceivers.receiver()
        .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)));
    return path;
  }

  private static String newPath() {
    return "/hooks/" + UUID.randomUUID();
  }

  private JsonPath events(String id) {
    return TestApi.events(key, id);
  }

  /** Waits until the message's one event has been attempted at least {@code attempts} times. */
  private void awaitAttempts(String id, int attempts) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              JsonPath events = events(id);
              return events.getList("$").size() == 1
                  && events.getInt("[0].delivery.attempts") >= attempts;
            });
  }

  /**
   * Makes the message's events {@code age} old, as if they had happened then, and answers their new
   * creation time.
   */
  private Instant backdate(String id, Duration age) {
    return database
        .preparedQuery(
            "UPDATE webhook_event SET created_at = now() - make_interval(secs => $2)"
                + " WHERE message_id = $1 RETURNING created_at")
        .execute(Tuple.of(UUID.fromString(id), (double) age.toSeconds()))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getOffsetDateTime("created_at")
        .toInstant();
  }

  /** Answers {@code status} with {@code Retry-After} to the first request on path, then 200. */
  private static void busyOnceThenOk(String path, int status, String retryAfter) {
    String scenario = "busy-" + path;
    WebhookReceivers.receiver()
        .stubFor(
            post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(status).withHeader("Retry-After", retryAfter))
                .willSetStateTo("ok"));
    WebhookReceivers.receiver()
        .stubFor(
            post(urlEqualTo(path))
                .inScenario(scenario)
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200)));
  }

  /** The requests the receiver got on {@code path}, in the order they came. */
  private static List<LoggedRequest> requests(String path) {
    List<LoggedRequest> requests =
        new ArrayList<>(WebhookReceivers.receiver().findAll(postRequestedFor(urlEqualTo(path))));
    requests.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
    return requests;
  }

  /** Checks that the receiver gets nothing more on {@code path} over several retry delays. */
  private static void assertNoFurtherRequests(String path) throws InterruptedException {
    int received = requests(path).size();
    Thread.sleep(1_500);
    assertThat(requests(path)).hasSize(received);
  }

  /** Waits until the message has {@code count} events, the last one in delivery {@code state}. */
  private JsonPath awaitEvents(String id, int count, String state) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              JsonPath events = events(id);
              return events.getList("$").size() == count
                  && state.equals(events.getString("[" + (count - 1) + "].delivery.state"));
            });
    return events(id);
  }

  private static List<LoggedRequest> awaitRequests(WireMockServer server, String path, int count) {
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> server.findAll(postRequestedFor(urlEqualTo(path))).size() >= count);
    List<LoggedRequest> requests =
        new ArrayList<>(server.findAll(postRequestedFor(urlEqualTo(path))));
    requests.sort(
        (a, b) ->
            Integer.compare(
                new JsonObject(a.getBodyAsString()).getInteger("sequence"),
                new JsonObject(b.getBodyAsString()).getInteger("sequence")));
    return requests;
  }

  /** Checks Cascade-Signature the way docs/webhooks.md tells receivers to. */
  private static void assertSigned(LoggedRequest request, String secret)
      throws GeneralSecurityException {
    String header = request.getHeader("Cascade-Signature");
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    String t = header.substring(2, header.indexOf(','));
    String v1 = header.substring(header.indexOf("v1=") + 3);
    assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(300);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(request.getBody());
    assertThat(MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1))).isTrue();
  }
}
