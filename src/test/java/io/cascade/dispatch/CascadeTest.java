package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.email;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.simulator;
import static io.cascade.support.TestApi.sms;
import static io.cascade.support.TestApi.step;
import static io.cascade.support.TestApi.whatsapp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.Metrics;
import io.cascade.support.RabbitProxy;
import io.cascade.support.TestApi;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The channel cascade, end to end through the API, the real broker and the real database. */
@QuarkusTest
@WithTestResource(value = RabbitProxy.class, scope = TestResourceScope.GLOBAL)
class CascadeTest {

  private static final String SMS_RETRIES = "cascade_provider_retries_total";
  private static final String SMS_METHOD = "channel=\"sms\",provider=\"simulator\"";

  private String key;

  @BeforeEach
  void cleanProviders() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void deliversOverTheFirstChannelWhenItWorks() {
    String id = send(key, message(List.of(sms(), whatsapp())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
    assertThat(message.getList("attempts")).hasSize(1);
    assertThat(message.getString("attempts[0].channel")).isEqualTo("sms");
    assertThat(message.getString("attempts[0].provider")).isEqualTo("simulator");
    assertThat(message.getString("attempts[0].status")).isEqualTo("delivered");
    assertThat(message.getString("attempts[0].endedAt")).isNotNull();
    assertThat(message.getString("attempts[0].reason")).isNull();
    // The WhatsApp step was never needed.
    assertThat(message.getList("steps.channel")).containsExactly("sms", "whatsapp");
    assertThat(message.getList("steps.outcome")).containsExactly("delivered", "skipped");
    assertThat(message.getList("steps.reason")).containsOnlyNulls();
  }

  @Test
  void failsOverToWhatsAppWhenTheSmsProviderFails() {
    simulator("sms", "fail", 0);
    double retriesBefore = Metrics.sum(SMS_RETRIES, SMS_METHOD);

    String id = send(key, message(List.of(sms(), whatsapp())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getList("attempts")).hasSize(2);
    assertThat(message.getString("attempts[0].channel")).isEqualTo("sms");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[0].error")).startsWith("send_error:");
    assertThat(message.getString("attempts[1].channel")).isEqualTo("whatsapp");
    assertThat(message.getString("attempts[1].status")).isEqualTo("delivered");
    assertThat(message.getList("attempts.step")).containsExactly(0, 1);
    assertThat(message.getList("attempts.reason")).containsExactly("send_error", null);
    assertThat(message.getList("steps.outcome")).containsExactly("failed", "delivered");
    assertThat(message.getList("steps.reason")).containsExactly("send_error", null);
    // Transient errors are retried (2 retries by default) before the cascade moves on.
    assertThat(Metrics.sum(SMS_RETRIES, SMS_METHOD) - retriesBefore).isEqualTo(2.0);
  }

  @Test
  void failsOverWhenTheSmsProviderTimesOut() {
    simulator("sms", "timeout", 0);

    String id = send(key, message(List.of(sms(), email())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("email");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[0].error")).startsWith("timeout:");
    assertThat(message.getString("steps[0].reason")).isEqualTo("timeout");
  }

  @Test
  void rejectedRecipientIsNotRetriedAndTheNextStepGoesOut() {
    simulator("sms", "reject", 0);
    double retriesBefore = Metrics.sum(SMS_RETRIES, SMS_METHOD);

    String id = send(key, message(List.of(sms(), whatsapp())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getString("attempts[0].error")).startsWith("rejected:");
    assertThat(message.getString("steps[0].outcome")).isEqualTo("rejected");
    assertThat(message.getString("steps[0].reason")).isEqualTo("rejected");
    assertThat(Metrics.sum(SMS_RETRIES, SMS_METHOD)).isEqualTo(retriesBefore);
  }

  @Test
  void failsOnlyWhenEveryStepIsRejected() {
    simulator("sms", "reject", 0);
    simulator("whatsapp", "reject", 0);

    String id = send(key, message(List.of(sms(), whatsapp())));

    JsonPath message = awaitStatus(key, id, "failed");
    assertThat(message.getList("deliveredVia")).isEmpty();
    assertThat(message.getString("nextAttemptAt")).isNull();
    assertThat(message.getList("attempts.channel")).containsExactly("sms", "whatsapp");
    assertThat(message.getList("attempts.status")).containsExactly("rejected", "rejected");
  }

  @Test
  void waitsWhileEveryProviderFailsAndIsDeliveredOnceOneIsBack() {
    simulator("sms", "fail", 0);
    simulator("email", "timeout", 0);
    double waitsBefore = Metrics.sum("cascade_route_waits_total");

    String id = send(key, message(List.of(sms(), email())));

    JsonPath waiting = awaitStatus(key, id, "waiting");
    assertThat(waiting.getString("nextAttemptAt")).isNotNull();
    assertThat(waiting.getList("deliveredVia")).isEmpty();
    // It keeps walking the route while the providers are down: two walks, four failed attempts.
    // (Counted on this message: the route-wait metric also counts other tests' messages.)
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              List<String> attempts = TestApi.get(key, id).getList("attempts.status");
              return attempts.size() >= 4 && !attempts.subList(0, 4).contains("sending");
            });
    assertThat(Metrics.sum("cascade_route_waits_total") - waitsBefore).isGreaterThanOrEqualTo(1);
    JsonPath stillWaiting = TestApi.get(key, id);
    assertThat(stillWaiting.getString("status")).isIn("waiting", "sending");
    assertThat(stillWaiting.getList("attempts.status")).doesNotContain("delivered");
    assertThat(stillWaiting.getList("attempts.channel").subList(0, 4))
        .containsExactly("sms", "email", "sms", "email");

    TestApi.resetProviders(); // providers back, breakers closed

    JsonPath delivered = awaitStatus(key, id, "delivered");
    assertThat(delivered.getList("deliveredVia")).containsExactly("sms");
    assertThat(delivered.getString("nextAttemptAt")).isNull();
    List<String> statuses = delivered.getList("attempts.status");
    assertThat(statuses.get(statuses.size() - 1)).isEqualTo("delivered");
    assertThat(statuses.subList(0, statuses.size() - 1)).containsOnly("failed");
  }

  @Test
  void laterWalksSkipAStepWhoseRecipientWasRejected() {
    simulator("sms", "reject", 0);
    simulator("whatsapp", "fail", 0);

    String id = send(key, message(List.of(sms(), whatsapp())));

    awaitStatus(key, id, "waiting");
    // Wait for the second walk's WhatsApp attempt to have *failed*: an attempt row exists while its
    // provider call (with retries) is still running, and switching the simulator then would let it
    // deliver.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              List<String> statuses = TestApi.get(key, id).getList("attempts.status");
              return statuses.size() >= 3 && !statuses.contains("sending");
            });
    simulator("whatsapp", "ok", 0);
    CircuitBreakerMaintenance.get().resetAll();

    JsonPath delivered = awaitStatus(key, id, "delivered");
    assertThat(delivered.getList("deliveredVia")).containsExactly("whatsapp");
    List<String> channels = delivered.getList("attempts.channel");
    assertThat(channels).hasSizeGreaterThanOrEqualTo(4).startsWith("sms").containsOnlyOnce("sms");
  }

  @Test
  void expiresWhenProvidersStayDownPastTheValidity() {
    simulator("sms", "fail", 0);
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("validitySeconds", 10);

    String id = send(key, body);

    awaitStatus(key, id, "waiting");
    JsonPath expired = awaitStatus(key, id, "expired", Duration.ofSeconds(30));
    assertThat(expired.getList("attempts.status")).isNotEmpty().containsOnly("failed");
    assertThat(expired.getString("nextAttemptAt")).isNull();
    assertThat(Instant.parse(expired.getString("updatedAt")))
        .isAfterOrEqualTo(Instant.parse(expired.getString("validUntil")));
  }

  @Test
  void openCircuitSkipsTheProviderAndFailsOverAtOnce() {
    simulator("sms", "fail", 0);
    // The test profile opens the circuit after 4 calls with at least half failed.
    for (int i = 0; i < 2; i++) {
      awaitStatus(key, send(key, message(List.of(sms(), whatsapp()))), "delivered");
    }

    String id = send(key, message(List.of(sms(), whatsapp())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getString("attempts[0].error")).startsWith("circuit_open:");
    assertThat(message.getString("steps[0].reason")).isEqualTo("circuit_open");
    // Asked of the breaker itself: SmallRye Fault Tolerance registers its state gauge only in the
    // first Quarkus application of the test JVM that uses the method.
    assertThat(CircuitBreakerMaintenance.get().currentState("sms/simulator"))
        .isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void expiresWhenTheValidityPassesBeforeAnyStepSucceeds() {
    // The test profile gives voice a 15 s timeout and no retries, so this 10.5 s failure outlasts
    // the 10 s validity: the cascade must stop instead of starting the SMS step.
    simulator("voice", "fail", 10_500);
    Map<String, Object> body =
        new HashMap<>(message(List.of(step("voice", "+4915112345678"), sms())));
    body.put("validitySeconds", 10);

    String id = send(key, body);

    JsonPath message = awaitStatus(key, id, "expired", Duration.ofSeconds(30));
    assertThat(message.getList("attempts.channel")).containsExactly("voice");
    assertThat(message.getList("deliveredVia")).isEmpty();
    assertThat(message.getList("steps.outcome")).containsExactly("failed", "skipped");
  }
}
