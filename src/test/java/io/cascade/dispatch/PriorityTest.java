package io.cascade.dispatch;

import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.email;
import static io.cascade.support.TestApi.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Priority classes, end to end: each has its own quorum queue and consumers. */
@QuarkusTest
class PriorityTest {

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @AfterEach
  void fastProvidersAgain() {
    TestApi.resetProviders(); // lets the rest of a bulk backlog drain at once
  }

  private static Map<String, Object> emailWith(String priority) {
    Map<String, Object> body = new HashMap<>(TestApi.message(List.of(email())));
    if (priority != null) {
      body.put("priority", priority);
    }
    return body;
  }

  @Test
  void theMessageShowsItsPriorityNormalByDefault() {
    String high = send(key, emailWith("high"));
    String plain = send(key, emailWith(null));

    assertThat(TestApi.get(key, high).getString("priority")).isEqualTo("high");
    assertThat(TestApi.get(key, plain).getString("priority")).isEqualTo("normal");
  }

  @Test
  void anUnknownPriorityIsRefusedWithAFieldError() {
    Response refused =
        as(key).contentType(ContentType.JSON).body(emailWith("urgent")).post("/v1/messages");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.jsonPath().getList("errors.field")).contains("priority");
    assertThat(as(key).get("/v1/messages").jsonPath().getList("items")).isEmpty();
  }

  @Test
  void highAndNormalMessagesOvertakeABulkBacklog() {
    // Voice goes through the test profile's slow-voice provider: a 3 s answer and 32 bulk
    // deliveries in flight drain a backlog at about 10 messages a second.
    TestApi.simulator("voice", "ok", 3000);
    List<String> bulk =
        IntStream.range(0, 150).parallel().mapToObj(i -> send(key, voiceWith("bulk"))).toList();

    String high = send(key, voiceWith("high"));
    String normal = send(key, voiceWith("normal"));

    awaitStatus(key, high, "delivered", Duration.ofSeconds(8));
    awaitStatus(key, normal, "delivered", Duration.ofSeconds(8));
    long bulkWaiting =
        bulk.stream()
            .filter(id -> "accepted".equals(TestApi.get(key, id).getString("status")))
            .count();
    assertThat(bulkWaiting).as("bulk messages not dispatched yet").isPositive();
  }

  private static Map<String, Object> voiceWith(String priority) {
    Map<String, Object> body =
        new HashMap<>(TestApi.message(List.of(TestApi.step("voice", "+4915112345678"))));
    body.put("priority", priority);
    return body;
  }
}
