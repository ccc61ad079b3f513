package io.cascade.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.WhatsAppCloud.notifySigned;
import static io.cascade.support.WhatsAppCloud.statuses;
import static io.cascade.support.WhatsAppCloud.stub;
import static io.cascade.support.WhatsAppCloud.stubAccepted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

import io.cascade.support.Metrics;
import io.cascade.support.SmscPeer;
import io.cascade.support.SmscPeers;
import io.cascade.support.StepPeers;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Route steps that wait for a receipt ({@code waitFor}) against real peers ({@link StepPeers}): the
 * SMSCs of {@link SmscPeers} scripted by destination number, WhatsApp's Cloud API on WireMock with
 * signed status notifications. A step whose receipt does not come in time, or comes negative, hands
 * the message to the next step; a receipt that comes after that changes only its attempt.
 */
@QuarkusTest
@WithTestResource(StepPeers.class)
class StepTimeoutTest {

  private static final List<SmscPeer> PEERS =
      List.of(SmscPeers.A, SmscPeers.B, SmscPeers.C, SmscPeers.D);

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    PEERS.forEach(SmscPeer::reset);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> SmscPeers.A.hasBoundSession() && SmscPeers.B.hasBoundSession());
    key = TestApi.newTenant().key();
  }

  @Test
  void anSmsWithoutReceiptFailsOverToWhatsAppAfterItsTimeout() {
    String whatsappTo = newNumber();
    stubAccepted(whatsappTo);
    long start = System.nanoTime();

    String id =
        send(
            key,
            route(
                step("sms", smsNumber("49176"), "timeoutSeconds", 5),
                step("whatsapp", whatsappTo, "waitFor", "sent")));

    JsonPath sent = awaitStatus(key, id, "sent");
    // While the SMS step waits for its receipt, the view says until when.
    assertThat(sent.getString("steps[0].outcome")).isEqualTo("sent");
    assertThat(sent.getString("steps[0].reason")).isNull();
    assertThat(Instant.parse(sent.getString("steps[0].deadline")))
        .isAfter(Instant.parse(sent.getString("attempts[0].endedAt")).plusMillis(4900));
    assertThat(sent.getString("steps[1].outcome")).isEqualTo("pending");
    assertThat(sent.getString("route[0].waitFor")).isEqualTo("delivered");
    assertThat(sent.getInt("route[0].timeoutSeconds")).isEqualTo(5);
    assertThat(sent.getString("route[1].waitFor")).isEqualTo("sent");
    JsonPath message = awaitAttempts(id, 2, Duration.ofSeconds(15));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(4500));
    assertThat(message.getString("attempts[0].status")).isEqualTo("sent");
    assertThat(message.getString("attempts[0].error")).startsWith("no_receipt_in_time");
    assertThat(message.getString("attempts[1].channel")).isEqualTo("whatsapp");
    JsonPath done = awaitStatus(key, id, "sent");
    assertThat(done.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(done.getString("attempts[0].reason")).isEqualTo("no_receipt_in_time");
    assertThat(done.getList("steps.outcome")).containsExactly("sent", "sent");
    assertThat(done.getList("steps.reason")).containsExactly("no_receipt_in_time", null);
    assertThat(done.getList("steps.deadline")).containsOnlyNulls();
  }

  @Test
  void aNegativeReceiptStartsTheNextStepAtOnce() {
    String whatsappTo = newNumber();
    stubAccepted(whatsappTo);
    long start = System.nanoTime();

    String id =
        send(
            key,
            route(
                step("sms", smsNumber("49170"), "timeoutSeconds", 60),
                step("whatsapp", whatsappTo, "waitFor", "sent")));

    JsonPath message = awaitAttempts(id, 2, Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(message.getString("attempts[0].status")).isEqualTo("undelivered");
    assertThat(message.getString("attempts[0].error"))
        .startsWith("negative_receipt")
        .contains("034");
    assertThat(message.getString("steps[0].outcome")).isEqualTo("undelivered");
    assertThat(message.getString("steps[0].reason")).isEqualTo("negative_receipt");
    assertThat(message.getString("attempts[1].channel")).isEqualTo("whatsapp");
  }

  @Test
  void noStepStartsAfterTheValidityEvenIfTheDeadlineWouldAllowIt() {
    Map<String, Object> body =
        new HashMap<>(
            route(
                step("sms", smsNumber("49176"), "timeoutSeconds", 60),
                step("whatsapp", newNumber(), "waitFor", "sent")));
    body.put("validitySeconds", 10);

    String id = send(key, body);

    // The step's deadline is cut to the message's validity ...
    JsonPath sent = awaitStatus(key, id, "sent");
    assertThat(sent.getString("steps[0].deadline")).isEqualTo(sent.getString("validUntil"));
    Instant validUntil = Instant.parse(sent.getString("validUntil"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> get(key, id).getString("steps[0].deadline") == null);
    // ... and when it passes, the step ends without starting the next one: a provider took the
    // message, so it stays sent.
    JsonPath message = get(key, id);
    assertThat(Instant.now()).isAfterOrEqualTo(validUntil);
    assertThat(message.getString("status")).isEqualTo("sent");
    assertThat(message.getList("attempts.channel")).containsExactly("sms");
    assertThat(message.getList("steps.outcome")).containsExactly("sent", "skipped");
    assertThat(message.getString("steps[0].reason")).isEqualTo("no_receipt_in_time");
  }

  @Test
  void aLateReceiptIsRecordedOnItsAttemptAndCountedAsADoubleDelivery() {
    double doublesBefore = doubleDeliveries("whatsapp", "sms");
    PEERS.forEach(peer -> peer.holdReceipts = true);
    String whatsappTo = newNumber();
    // wa fails, so the simulator (warm) delivers the WhatsApp step at once.
    stub(whatsappTo, aResponse().withStatus(503));

    String id =
        send(
            key,
            route(
                step("sms", smsNumber("4915"), "timeoutSeconds", 5), step("whatsapp", whatsappTo)));

    JsonPath delivered = awaitStatus(key, id, "delivered", Duration.ofSeconds(15));
    assertThat(delivered.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(delivered.getString("attempts[0].error")).startsWith("no_receipt_in_time");

    PEERS.forEach(SmscPeer::releaseReceipts);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "delivered".equals(get(key, id).getString("attempts[0].status")));
    JsonPath message = get(key, id);
    assertThat(message.getString("status")).isEqualTo("delivered");
    // Both steps delivered, in the order they did.
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp", "sms");
    assertThat(message.getString("attempts[0].error")).startsWith("no_receipt_in_time");
    assertThat(message.getList("attempts.channel")).containsExactly("sms", "whatsapp", "whatsapp");
    // The SMS step got there after all, but too late to stop the cascade.
    assertThat(message.getList("steps.outcome")).containsExactly("delivered", "delivered");
    assertThat(message.getList("steps.reason")).containsExactly("no_receipt_in_time", null);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(doubleDeliveries("whatsapp", "sms")).isEqualTo(doublesBefore + 1));
  }

  private static double doubleDeliveries(String first, String second) {
    return Metrics.sum(
        "cascade_double_deliveries_total", "first=\"" + first + "\"", "second=\"" + second + "\"");
  }

  @Test
  void aWhatsAppStepThatWaitsForReadMovesOnWhenOnlyDeliveryCame() {
    String to = newNumber();
    String wamid = stubAccepted(to);

    String id =
        send(
            key,
            route(
                step("whatsapp", to, "waitFor", "read", "timeoutSeconds", 5),
                step("sms", smsNumber("4915"))));
    awaitStatus(key, id, "sent");
    notifySigned(statuses(wamid, to, "delivered"));
    await()
        .atMost(Duration.ofSeconds(4))
        .until(() -> "delivered".equals(get(key, id).getString("attempts[0].status")));
    // Delivered is not what the step waits for: the message stays sent until read or the timeout.
    assertThat(get(key, id).getString("status")).isEqualTo("sent");

    JsonPath message = awaitStatus(key, id, "delivered", Duration.ofSeconds(15));
    // The WhatsApp attempt was delivered (not read), then the SMS step delivered too.
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp", "sms");
    assertThat(message.getString("attempts[0].error")).startsWith("not_read_in_time");
    assertThat(message.getList("steps.outcome")).containsExactly("delivered", "delivered");
    assertThat(message.getList("steps.reason")).containsExactly("not_read_in_time", null);
    assertThat(message.getList("attempts.channel")).containsExactly("whatsapp", "sms");
  }

  @Test
  void aWhatsAppStepThatWaitsForReadEndsTheCascadeWhenRead() {
    String to = newNumber();
    String wamid = stubAccepted(to);

    String id =
        send(
            key,
            route(
                step("whatsapp", to, "waitFor", "read", "timeoutSeconds", 30),
                step("sms", smsNumber("4915"))));
    awaitStatus(key, id, "sent");
    notifySigned(statuses(wamid, to, "delivered"));
    notifySigned(statuses(wamid, to, "read"));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getString("attempts[0].status")).isEqualTo("read");
    assertThat(message.getList("attempts")).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'\"waitFor\": \"soon\"', route[0].waitFor",
    "'\"timeoutSeconds\": 4', route[0].timeoutSeconds",
    "'\"timeoutSeconds\": 86401', route[0].timeoutSeconds",
    "'\"timeoutSeconds\": \"five\"', route[0].timeoutSeconds"
  })
  void aBadWaitForOrTimeoutIsNamed(String field, String path) {
    as(key)
        .contentType(ContentType.JSON)
        .body(
            "{\"route\": [{\"channel\": \"sms\", \"to\": \"+4915112345678\", "
                + field
                + "}], \"text\": \"hi\"}")
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(path));
  }

  private JsonPath awaitAttempts(String id, int count, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(key, id).getList("attempts").size() >= count);
    return get(key, id);
  }

  @SafeVarargs
  private static Map<String, Object> route(Map<String, Object>... steps) {
    return Map.of("route", List.of(steps), "text", "Your code is 123456");
  }

  private static Map<String, Object> step(String channel, String to, Object... fields) {
    Map<String, Object> step = new HashMap<>(Map.of("channel", channel, "to", to));
    for (int i = 0; i < fields.length; i += 2) {
      step.put((String) fields[i], fields[i + 1]);
    }
    return step;
  }

  /** A fresh E.164 number starting with the given digits (they script the SMSC). */
  private static String smsNumber(String prefix) {
    StringBuilder number = new StringBuilder("+").append(prefix);
    while (number.length() < 13) {
      number.append(ThreadLocalRandom.current().nextInt(10));
    }
    return number.toString();
  }

  private static String newNumber() {
    return "+4917" + (100_000_000 + ThreadLocalRandom.current().nextInt(900_000_000));
  }
}
