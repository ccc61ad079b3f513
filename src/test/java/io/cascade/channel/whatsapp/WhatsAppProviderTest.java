package io.cascade.channel.whatsapp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.email;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static io.cascade.support.WhatsAppCloud.MESSAGES;
import static io.cascade.support.WhatsAppCloud.WEBHOOK;
import static io.cascade.support.WhatsAppCloud.hmac;
import static io.cascade.support.WhatsAppCloud.postNotification;
import static io.cascade.support.WhatsAppCloud.statuses;
import static io.cascade.support.WhatsAppCloud.stub;
import static io.cascade.support.WhatsAppCloud.stubAccepted;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.cascade.support.TestApi;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WhatsApp through the Cloud API provider against WireMock ({@link WireMockPeer}): the send
 * request, the webhook handshake, signed status notifications, failover to the simulator on
 * transient trouble and rejection of an unreachable recipient.
 */
@QuarkusTest
@WithTestResource(WireMockPeer.class)
class WhatsAppProviderTest {

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void sendsATextMessageWithTheBearerToken() {
    String to = newNumber();
    String wamid = stubAccepted(to);

    JsonPath message = awaitStatus(key, send(key, message(List.of(whatsapp(to)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("wa");
    assertThat(message.getString("attempts[0].providerMessageId")).isEqualTo(wamid);
    WireMockPeer.server()
        .verify(
            exactly(1),
            postRequestedFor(urlEqualTo(MESSAGES))
                .withHeader("Authorization", equalTo("Bearer " + WireMockPeer.WA_ACCESS_TOKEN))
                .withRequestBody(
                    equalToJson(
                        "{\"messaging_product\": \"whatsapp\", \"recipient_type\": \"individual\","
                            + " \"to\": \""
                            + to.substring(1)
                            + "\", \"type\": \"text\", \"text\": {\"body\": \"Your code is"
                            + " 123456\"}}")));
  }

  @Test
  void signedStatusesMakeTheAttemptDeliveredThenRead() {
    String to = newNumber();
    String wamid = stubAccepted(to);
    String id = send(key, message(List.of(whatsapp(to))));
    awaitStatus(key, id, "sent");

    postNotification(statuses(wamid, to, "delivered", null), true).statusCode(200);
    JsonPath delivered = awaitStatus(key, id, "delivered");
    assertThat(delivered.getString("attempts[0].status")).isEqualTo("delivered");
    assertThat(delivered.getList("deliveredVia")).containsExactly("whatsapp");

    postNotification(statuses(wamid, to, "read", null), true).statusCode(200);
    awaitAttempt(id, "read");
  }

  @Test
  void aFailedStatusMakesTheAttemptUndeliveredWithTheErrorCode() {
    String to = newNumber();
    String wamid = stubAccepted(to);
    String id = send(key, message(List.of(whatsapp(to))));
    awaitStatus(key, id, "sent");

    postNotification(statuses(wamid, to, "failed", 131049), true).statusCode(200);

    assertThat(awaitAttempt(id, "undelivered").getString("attempts[0].error")).contains("131049");
  }

  @Test
  void aNotificationWithABadSignatureIsRefusedAndChangesNothing() {
    String to = newNumber();
    String wamid = stubAccepted(to);
    String id = send(key, message(List.of(whatsapp(to))));
    awaitStatus(key, id, "sent");
    String body = statuses(wamid, to, "delivered", null);

    postNotification(body, false)
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", Matchers.is(401));
    given().contentType("application/json").body(body).post(WEBHOOK).then().statusCode(401);
    // Signed over other bytes (re-serialised JSON) is refused too.
    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", "sha256=" + hmac(body.replace(", ", ",")))
        .body(body)
        .post(WEBHOOK)
        .then()
        .statusCode(401);

    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> "sent".equals(get(key, id).getString("attempts[0].status")));
  }

  @Test
  void theHandshakeEchoesTheChallengeOnlyForTheRightToken() {
    given()
        .queryParam("hub.mode", "subscribe")
        .queryParam("hub.verify_token", WireMockPeer.WA_VERIFY_TOKEN)
        .queryParam("hub.challenge", "1158201444")
        .get(WEBHOOK)
        .then()
        .statusCode(200)
        .contentType(Matchers.startsWith("text/plain"))
        .body(Matchers.is("1158201444"));
    given()
        .queryParam("hub.mode", "subscribe")
        .queryParam("hub.verify_token", "guessed")
        .queryParam("hub.challenge", "1158201444")
        .get(WEBHOOK)
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body(Matchers.not(Matchers.containsString("1158201444")));
    given()
        .queryParam("hub.mode", "subscribe")
        .queryParam("hub.verify_token", WireMockPeer.WA_VERIFY_TOKEN)
        .queryParam("hub.challenge", "1158201444")
        .get("/providers/nobody/whatsapp/webhook")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"503", "131000", "130429", "reset"})
  void transientTroubleFailsOverToTheNextProvider(String trouble) {
    String to = newNumber();
    ResponseDefinitionBuilder response =
        switch (trouble) {
          case "503" -> aResponse().withStatus(503);
          case "reset" ->
              aResponse()
                  .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER);
          default -> error(trouble.equals("130429") ? 429 : 500, Integer.parseInt(trouble));
        };
    stub(to, response);

    JsonPath message = awaitStatus(key, send(key, message(List.of(whatsapp(to)))), "delivered");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("wa");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[1].provider")).isEqualTo("simulator");
    assertThat(message.getString("attempts[1].channel")).isEqualTo("whatsapp");
    WireMockPeer.server().verify(exactly(2), toRecipient(to));
  }

  @Test
  void anUnreachableRecipientIsRejectedAndTheNextStepGoesOut() {
    String to = newNumber();
    stub(to, error(400, 131026));

    JsonPath message =
        awaitStatus(key, send(key, message(List.of(whatsapp(to), email()))), "delivered");

    assertThat(message.getList("deliveredVia")).containsExactly("email");
    assertThat(message.getList("attempts")).hasSize(2);
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getString("attempts[0].error")).startsWith("rejected: whatsapp 131026:");
    WireMockPeer.server().verify(exactly(1), toRecipient(to));
  }

  private JsonPath awaitAttempt(String id, String status) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status.equals(get(key, id).getString("attempts[0].status")));
    return get(key, id);
  }

  private static Map<String, Object> whatsapp(String to) {
    return step("whatsapp", to);
  }

  private static String newNumber() {
    return "+4917" + (100_000_000 + ThreadLocalRandom.current().nextInt(900_000_000));
  }

  private static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder toRecipient(
      String to) {
    return postRequestedFor(urlEqualTo(MESSAGES))
        .withRequestBody(matchingJsonPath("$.to", equalTo(to.substring(1))));
  }

  private static ResponseDefinitionBuilder error(int status, int code) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(
            "{\"error\": {\"message\": \"(#"
                + code
                + ") test error\", \"type\": \"OAuthException\", \"code\": "
                + code
                + ", \"fbtrace_id\": \"A1b2\"}}");
  }
}
