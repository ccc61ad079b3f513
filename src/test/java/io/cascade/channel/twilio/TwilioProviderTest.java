package io.cascade.channel.twilio;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.email;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.cascade.support.TestApi;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMS through the Twilio provider against WireMock ({@link WireMockPeer}): the send request, status
 * callbacks and their signature, and failover to the second Twilio account on transient trouble.
 */
@QuarkusTest
@WithTestResource(WireMockPeer.class)
class TwilioProviderTest {

  private static final String MESSAGES_A =
      "/2010-04-01/Accounts/" + WireMockPeer.TWILIO_A_SID + "/Messages.json";
  private static final String MESSAGES_B =
      "/2010-04-01/Accounts/" + WireMockPeer.TWILIO_B_SID + "/Messages.json";

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void sendsTheFormWithBasicAuthAndTheCallbackUrl() {
    String to = newNumber();
    String sid = stubAccepted(to);

    JsonPath message = awaitStatus(key, send(key, message(List.of(sms(to)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("twilio-a");
    assertThat(message.getString("attempts[0].status")).isEqualTo("sent");
    assertThat(message.getString("attempts[0].providerMessageId")).isEqualTo(sid);
    WireMockPeer.server()
        .verify(
            exactly(1),
            postRequestedFor(urlEqualTo(MESSAGES_A))
                .withBasicAuth(
                    new BasicCredentials(WireMockPeer.TWILIO_A_SID, WireMockPeer.TWILIO_A_TOKEN))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withFormParam("To", equalTo(to))
                .withFormParam("From", equalTo(WireMockPeer.TWILIO_FROM))
                .withFormParam("Body", equalTo("Your code is 123456"))
                .withFormParam("StatusCallback", equalTo(WireMockPeer.TWILIO_A_CALLBACK)));
  }

  @Test
  void aSignedDeliveredCallbackDeliversTheAttemptAndTheMessage() {
    String to = newNumber();
    String sid = stubAccepted(to);
    String id = send(key, message(List.of(sms(to))));
    awaitStatus(key, id, "sent");

    callback(statusParams(sid, to, "delivered", null), true).statusCode(204);

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getString("attempts[0].status")).isEqualTo("delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
  }

  @Test
  void aFailedCallbackMakesTheAttemptUndeliveredWithTheErrorCode() {
    String to = newNumber();
    String sid = stubAccepted(to);
    String id = send(key, message(List.of(sms(to))));
    awaitStatus(key, id, "sent");

    callback(statusParams(sid, to, "sending", null), true).statusCode(200);
    callback(statusParams(sid, to, "failed", "30006"), true).statusCode(204);

    JsonPath message = awaitAttempt(id, "undelivered");
    assertThat(message.getString("attempts[0].error")).contains("30006");
  }

  @Test
  void aCallbackWithABadSignatureIsRefusedAndChangesNothing() {
    String to = newNumber();
    String sid = stubAccepted(to);
    String id = send(key, message(List.of(sms(to))));
    awaitStatus(key, id, "sent");
    Map<String, String> params = statusParams(sid, to, "delivered", null);

    callback(params, false)
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", org.hamcrest.Matchers.is(401));
    given()
        .contentType("application/x-www-form-urlencoded")
        .body(form(params))
        .post("/providers/twilio-a/twilio/status")
        .then()
        .statusCode(401);
    // Signed for another provider's token: still refused.
    given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature("twilio-b-auth-token", params))
        .body(form(params))
        .post("/providers/twilio-a/twilio/status")
        .then()
        .statusCode(401);

    assertThat(TestApi.get(key, id).getString("attempts[0].status")).isEqualTo("sent");
    // A delivered receipt would be applied well within this time.
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> "sent".equals(TestApi.get(key, id).getString("attempts[0].status")));
  }

  @Test
  void aCallbackForAnUnknownProviderIs404() {
    given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", "x")
        .body("MessageSid=SM1&MessageStatus=delivered")
        .post("/providers/nobody/twilio/status")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"500", "503", "429", "delay", "reset"})
  void transientTroubleFailsOverToTheNextProviderOfTheStep(String trouble) {
    String to = newNumber();
    ResponseDefinitionBuilder response =
        switch (trouble) {
          case "delay" -> created("SMslow").withFixedDelay(2500);
          case "reset" -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
          default -> aResponse().withStatus(Integer.parseInt(trouble)).withBody("{}");
        };
    WireMockPeer.server()
        .stubFor(
            post(urlEqualTo(MESSAGES_A))
                .atPriority(1)
                .withFormParam("To", equalTo(to))
                .willReturn(response));

    JsonPath message = awaitStatus(key, send(key, message(List.of(sms(to)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("twilio-a");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[1].provider")).isEqualTo("twilio-b");
    assertThat(message.getString("attempts[1].channel")).isEqualTo("sms");
    assertThat(message.getString("attempts[1].status")).isEqualTo("sent");
    assertThat(message.getString("attempts[1].providerMessageId")).startsWith("SM");
    // One try and one retry at twilio-a, then one at twilio-b.
    WireMockPeer.server()
        .verify(
            exactly(2), postRequestedFor(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(to)));
    WireMockPeer.server()
        .verify(
            exactly(1), postRequestedFor(urlEqualTo(MESSAGES_B)).withFormParam("To", equalTo(to)));
  }

  @Test
  void aProviderWithAnOpenCircuitIsTriedOnlyAfterTheOthers() {
    StubMapping down =
        WireMockPeer.server()
            .stubFor(
                post(urlEqualTo(MESSAGES_A))
                    .atPriority(1)
                    .willReturn(aResponse().withStatus(503).withBody("{}")));
    try {
      // 50 messages = 100 failed calls (a try and a retry each): the test profile's breaker opens.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ids.add(send(key, message(List.of(sms(newNumber())))));
      }
      ids.forEach(id -> awaitStatus(key, id, "sent"));
      assertThat(CircuitBreakerMaintenance.get().currentState("sms/twilio-a"))
          .isEqualTo(CircuitBreakerState.OPEN);

      String to = newNumber();
      JsonPath message = awaitStatus(key, send(key, message(List.of(sms(to)))), "sent");

      // twilio-a is hot and listed first, but with its circuit open the warm twilio-b goes first.
      assertThat(message.getList("attempts.provider")).containsExactly("twilio-b");
      WireMockPeer.server()
          .verify(
              exactly(0),
              postRequestedFor(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(to)));
    } finally {
      WireMockPeer.server().removeStub(down);
      CircuitBreakerMaintenance.get().resetAll();
    }
  }

  @Test
  void anInvalidRecipientIsRejectedAndTheNextStepGoesOut() {
    String to = newNumber();
    WireMockPeer.server()
        .stubFor(
            post(urlEqualTo(MESSAGES_A))
                .atPriority(1)
                .withFormParam("To", equalTo(to))
                .willReturn(
                    aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody(
                            "{\"code\": 21211, \"message\": \"The 'To' number "
                                + to
                                + " is not a valid phone number.\", \"status\": 400}")));

    JsonPath message = awaitStatus(key, send(key, message(List.of(sms(to), email()))), "delivered");

    assertThat(message.getList("deliveredVia")).containsExactly("email");
    assertThat(message.getList("attempts")).hasSize(2);
    assertThat(message.getString("attempts[0].provider")).isEqualTo("twilio-a");
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getString("attempts[0].error"))
        .startsWith("rejected: twilio 21211: The 'To'");
    WireMockPeer.server()
        .verify(
            exactly(1), postRequestedFor(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(to)));
    WireMockPeer.server()
        .verify(
            exactly(0), postRequestedFor(urlEqualTo(MESSAGES_B)).withFormParam("To", equalTo(to)));
  }

  private JsonPath awaitAttempt(String id, String status) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status.equals(get(key, id).getString("attempts[0].status")));
    return get(key, id);
  }

  private static Map<String, Object> sms(String to) {
    return step("sms", to);
  }

  private static String newNumber() {
    return "+4915" + (100_000_000 + ThreadLocalRandom.current().nextInt(900_000_000));
  }

  /** Twilio-a answers sends to {@code to} with a new sid; returns it. */
  private static String stubAccepted(String to) {
    String sid = "SM" + UUID.randomUUID().toString().replace("-", "");
    WireMockPeer.server()
        .stubFor(
            post(urlEqualTo(MESSAGES_A))
                .atPriority(1)
                .withFormParam("To", equalTo(to))
                .willReturn(created(sid)));
    return sid;
  }

  private static ResponseDefinitionBuilder created(String sid) {
    return aResponse()
        .withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"sid\": \"" + sid + "\", \"status\": \"queued\"}");
  }

  private static Map<String, String> statusParams(
      String sid, String to, String status, String errorCode) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("SmsSid", sid);
    params.put("SmsStatus", status);
    params.put("MessageStatus", status);
    params.put("To", to);
    params.put("MessageSid", sid);
    params.put("AccountSid", WireMockPeer.TWILIO_A_SID);
    params.put("From", WireMockPeer.TWILIO_FROM);
    params.put("ApiVersion", "2010-04-01");
    if (errorCode != null) {
      params.put("ErrorCode", errorCode);
    }
    return params;
  }

  private static ValidatableResponse callback(Map<String, String> params, boolean goodSignature) {
    String signature =
        goodSignature
            ? signature(WireMockPeer.TWILIO_A_TOKEN, params)
            : Base64.getEncoder().encodeToString(new byte[20]);
    return given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(form(params))
        .post("/providers/twilio-a/twilio/status")
        .then();
  }

  /** Twilio's documented algorithm, written out here independently of the code under test. */
  private static String signature(String authToken, Map<String, String> params) {
    StringBuilder data = new StringBuilder(WireMockPeer.TWILIO_A_CALLBACK);
    new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    return params.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
