package io.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A send that cannot be stored in time is answered 503 at once, with Retry-After, and stores
 * nothing: a database that falls behind sheds load instead of leaving clients without an answer.
 */
@QuarkusTest
@TestProfile(OverloadTest.NoPatience.class)
class OverloadTest {

  /** One accept transaction at a time, and a request may wait a millisecond for it. */
  public static class NoPatience implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cascade.store.accept-max-wait", "1ms", "cascade.store.max-in-flight", "1");
    }
  }

  @Test
  void requestsThatWaitTooLongAreRefusedUnstoredAndTheOthersAccepted() throws Exception {
    TestApi.Tenant tenant = TestApi.newTenant();
    double shedBefore = Metrics.sum("cascade_messages_shed_total");
    List<Response> answers = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(32);
    try {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 96; i++) {
        sent.add(
            clients.submit(
                () ->
                    TestApi.as(tenant.key())
                        .contentType(ContentType.JSON)
                        .body(TestApi.message(List.of(TestApi.sms())))
                        .post("/v1/messages")));
      }
      for (Future<Response> answer : sent) {
        answers.add(answer.get());
      }
    } finally {
      clients.shutdown();
    }

    List<Response> refused = answers.stream().filter(a -> a.statusCode() == 503).toList();
    long accepted = answers.stream().filter(a -> a.statusCode() == 202).count();
    assertThat(accepted + refused.size()).as("202 or 503, nothing else").isEqualTo(96);
    assertThat(refused).as("shed while a transaction ran").isNotEmpty();
    assertThat(accepted).as("the ones that found a transaction").isPositive();
    Response one = refused.get(0);
    assertThat(one.contentType()).startsWith("application/problem+json");
    assertThat(one.header("Retry-After")).isEqualTo("1");
    assertThat(one.jsonPath().getString("type")).isEqualTo("/problems/overloaded");
    assertThat(Metrics.sum("cascade_messages_shed_total") - shedBefore).isEqualTo(refused.size());

    // A 503 stored nothing: the tenant has exactly the accepted messages.
    int stored =
        TestApi.as(tenant.key())
            .get("/v1/messages?limit=100")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("items")
            .size();
    assertThat(stored).isEqualTo(accepted);
  }
}
