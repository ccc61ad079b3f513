package io.cascade.message;

import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.simulator;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listing: newest first, filters, cursor pages. */
@QuarkusTest
class MessageListTest {

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  private String sendWithReference(String reference) {
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("reference", reference);
    return send(key, body);
  }

  @Test
  void pagesGoNewestFirstAndEndWithoutACursor() {
    String first = sendWithReference("a");
    String second = sendWithReference("b");
    String third = sendWithReference("c");

    JsonPath page1 =
        as(key)
            .queryParam("limit", 2)
            .get("/v1/messages")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page1.getList("items.id")).containsExactly(third, second);
    String cursor = page1.getString("nextCursor");
    assertThat(cursor).isNotNull();

    JsonPath page2 =
        as(key)
            .queryParam("limit", 2)
            .queryParam("cursor", cursor)
            .get("/v1/messages")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page2.getList("items.id")).containsExactly(first);
    assertThat(page2.getString("nextCursor")).isNull();
  }

  @Test
  void filtersByStatusAndReference() {
    String delivered = sendWithReference("order-1");
    awaitStatus(key, delivered, "delivered");
    simulator("sms", "reject", 0);
    String failed = sendWithReference("order-2");
    awaitStatus(key, failed, "failed");

    assertThat(
            as(key)
                .queryParam("status", "failed")
                .get("/v1/messages")
                .then()
                .extract()
                .jsonPath()
                .getList("items.id"))
        .containsExactly(failed);
    assertThat(
            as(key)
                .queryParam("reference", "order-1")
                .get("/v1/messages")
                .then()
                .extract()
                .jsonPath()
                .getList("items.id"))
        .containsExactly(delivered);
    assertThat(
            as(key)
                .queryParam("status", "delivered")
                .queryParam("reference", "order-2")
                .get("/v1/messages")
                .then()
                .extract()
                .jsonPath()
                .getList("items"))
        .isEmpty();
  }
}
