package io.cascade.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static io.cascade.support.WhatsAppCloud.notifySigned;
import static io.cascade.support.WhatsAppCloud.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.TestApi;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Events caused by delivery receipts: a WhatsApp message (WireMock as the Cloud API) is sent, then
 * signed status callbacks make it delivered and read; each change reaches the tenant's receiver.
 */
@QuarkusTest
@WithTestResource(WireMockPeer.class)
@WithTestResource(WebhookReceivers.class)
class WebhookReceiptTest {

  @Test
  void receiptsSendDeliveredThenRead() throws Exception {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    String path = "/hooks/" + UUID.randomUUID();
    as(key)
        .contentType(ContentType.JSON)
        .body(Map.of("url", WebhookReceivers.receiver().baseUrl() + path))
        .put("/v1/webhook")
        .then()
        .statusCode(200);
    String to = "+4917" + (100_000_000 + (int) (Math.random() * 899_999_999));

    String id = send(key, message(List.of(step("whatsapp", to))));
    String wamid = awaitStatus(key, id, "sent").getString("attempts[0].providerMessageId");
    notifySigned(statuses(wamid, to, "delivered"));
    awaitStatus(key, id, "delivered");
    notifySigned(statuses(wamid, to, "read"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                WebhookReceivers.receiver().findAll(postRequestedFor(urlEqualTo(path))).size()
                    == 3);
    JsonPath events = as(key).get("/v1/messages/" + id + "/events").then().extract().jsonPath();
    assertThat(events.getList("type"))
        .containsExactly("message.sent", "message.delivered", "message.read");
    assertThat(events.getList("sequence")).containsExactly(1, 2, 3);
    assertThat(events.getString("[0].data.channel")).isEqualTo("whatsapp");
    assertThat(events.getString("[1].data.status")).isEqualTo("delivered");
    assertThat(events.getString("[1].data.channel")).isEqualTo("whatsapp");
    assertThat(events.getString("[2].data.status")).isEqualTo("read");
    assertThat(
            WebhookReceivers.receiver().findAll(postRequestedFor(urlEqualTo(path))).stream()
                .map(r -> new JsonObject(r.getBodyAsString()).getString("type")))
        .containsExactlyInAnyOrder("message.sent", "message.delivered", "message.read");
  }
}
