package io.cascade.message;

import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.sms;
import static io.cascade.support.TestApi.whatsapp;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idempotency-Key: a retried request never creates or sends a second message. */
@QuarkusTest
class IdempotencyTest {

  private static final String NOWHERE = "http://127.0.0.1:9/cascade-events";

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  private Response post(String apiKey, String idempotencyKey, Map<String, Object> body) {
    return as(apiKey)
        .header("Idempotency-Key", idempotencyKey)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/messages");
  }

  /** {@code body} with a callbackUrl, where nothing listens: these tests look at acceptance. */
  private static Map<String, Object> withCallbackUrl(Map<String, Object> body) {
    Map<String, Object> withUrl = new HashMap<>(body);
    withUrl.put("callbackUrl", NOWHERE);
    return withUrl;
  }

  private void setWebhook() {
    as(key)
        .contentType(ContentType.JSON)
        .body(Map.of("url", NOWHERE))
        .put("/v1/webhook")
        .then()
        .statusCode(200);
  }

  @Test
  void sameKeyAndBodyReturnTheSameMessageAndSendItOnce() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    Map<String, Object> body = message(List.of(sms()));

    Response first = post(key, idempotencyKey, body);
    Response second = post(key, idempotencyKey, body);

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(200);
    String id = first.path("id");
    assertThat((String) second.path("id")).isEqualTo(id);
    assertThat(second.header("Location")).endsWith("/v1/messages/" + id);
    assertThat(awaitStatus(key, id, "delivered").getList("attempts")).hasSize(1);
    assertThat(as(key).get("/v1/messages").then().extract().jsonPath().getList("items")).hasSize(1);
  }

  @Test
  void sameKeyWithADifferentBodyIsAConflictAndStoresNothing() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    post(key, idempotencyKey, message(List.of(sms()))).then().statusCode(202);

    Response conflict = post(key, idempotencyKey, message(List.of(whatsapp())));

    assertThat(conflict.statusCode()).isEqualTo(409);
    assertThat(conflict.contentType()).startsWith("application/problem+json");
    assertThat((String) conflict.path("type")).isEqualTo("/problems/idempotency-conflict");
    assertThat(as(key).get("/v1/messages").then().extract().jsonPath().getList("items")).hasSize(1);
  }

  @Test
  void concurrentRequestsWithOneKeyCreateOneMessage() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    Map<String, Object> body = message(List.of(sms()));
    List<CompletableFuture<Response>> requests = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      requests.add(CompletableFuture.supplyAsync(() -> post(key, idempotencyKey, body)));
    }

    List<Response> responses = requests.stream().map(CompletableFuture::join).toList();

    Set<String> ids =
        responses.stream().map(r -> (String) r.path("id")).collect(Collectors.toSet());
    assertThat(ids).hasSize(1);
    assertThat(responses.stream().filter(r -> r.statusCode() == 202)).hasSize(1);
    assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(7);
    assertThat(awaitStatus(key, ids.iterator().next(), "delivered").getList("attempts")).hasSize(1);
  }

  @Test
  void aKeyRefusedForWantOfAWebhookIsStillFree() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    Map<String, Object> body = withCallbackUrl(message(List.of(sms())));

    post(key, idempotencyKey, body).then().statusCode(422);
    assertThat(as(key).get("/v1/messages").then().extract().jsonPath().getList("items")).isEmpty();
    setWebhook();

    post(key, idempotencyKey, body).then().statusCode(202);
    // Leaves no event retrying NOWHERE.
    as(key).delete("/v1/webhook").then().statusCode(204);
  }

  @Test
  void aReplayAnswersItsMessageAfterTheWebhookIsRemoved() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    Map<String, Object> body = withCallbackUrl(message(List.of(sms())));
    setWebhook();
    String id = post(key, idempotencyKey, body).then().statusCode(202).extract().path("id");
    as(key).delete("/v1/webhook").then().statusCode(204);

    Response replay = post(key, idempotencyKey, body);

    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat((String) replay.path("id")).isEqualTo(id);
    post(key, "otp-" + UUID.randomUUID(), body).then().statusCode(422);
  }

  @Test
  void keysBelongToOneTenant() {
    String idempotencyKey = "otp-" + UUID.randomUUID();
    String other = TestApi.newTenant().key();

    String mine =
        post(key, idempotencyKey, message(List.of(sms())))
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    String theirs =
        post(other, idempotencyKey, message(List.of(whatsapp())))
            .then()
            .statusCode(202)
            .extract()
            .path("id");

    assertThat(theirs).isNotEqualTo(mine);
  }
}
