package io.cascade.limit;

import static io.cascade.support.TestApi.admin;
import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A tenant's rate and daily quota on {@code POST /v1/messages}, set through the admin API and
 * counted over replicas through PostgreSQL: over them, 429 problem+json with Retry-After and the
 * RateLimit headers, and nothing stored.
 */
@QuarkusTest
class RateLimitTest {

  @Inject Pool database;

  @Test
  void overItsRateATenantIsAnswered429AndNothingIsStored() {
    TestApi.Tenant tenant = TestApi.newTenant();
    setLimits(tenant, 5, null).then().statusCode(200).body("messagesPerSecond", equalTo(5));

    long start = System.nanoTime();
    List<Response> answers = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      answers.add(post(tenant));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    List<Response> accepted = answers.stream().filter(a -> a.statusCode() == 202).toList();
    List<Response> refused = answers.stream().filter(a -> a.statusCode() == 429).toList();
    assertThat(accepted.size() + refused.size()).isEqualTo(15);
    // Five a second, sliding: a little more if the requests took part of a second.
    assertThat(accepted.size())
        .as("accepted in %s", took)
        .isBetween(5, 5 + (int) Math.ceil(5 * took.toMillis() / 1000.0));
    assertThat(accepted.get(0).header("RateLimit-Limit")).isEqualTo("5");
    assertThat(accepted.get(0).header("RateLimit-Remaining")).isEqualTo("4");
    assertThat(accepted.get(0).header("RateLimit-Reset")).isEqualTo("1");

    Response tooMany = refused.get(0);
    assertThat(tooMany.contentType()).startsWith("application/problem+json");
    assertThat(tooMany.jsonPath().getString("type")).isEqualTo("/problems/rate-limited");
    assertThat(tooMany.jsonPath().getInt("status")).isEqualTo(429);
    assertThat(tooMany.header("Retry-After")).isEqualTo("1");
    assertThat(tooMany.header("RateLimit-Limit")).isEqualTo("5");
    assertThat(tooMany.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(storedMessages(tenant)).isEqualTo(accepted.size());
  }

  @Test
  void otherTenantsAreNotLimitedByOnesBurst() {
    TestApi.Tenant busy = TestApi.newTenant();
    TestApi.Tenant other = TestApi.newTenant();
    setLimits(busy, 1, null).then().statusCode(200);
    post(busy);
    assertThat(post(busy).statusCode()).isEqualTo(429);
    Response answer = post(other);
    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(answer.header("RateLimit-Limit")).isEqualTo("1000"); // the default
  }

  @Test
  void theDailyQuotaCountsWhatOtherReplicasAccepted() throws InterruptedException {
    TestApi.Tenant tenant = TestApi.newTenant();
    setLimits(tenant, null, 5L).then().statusCode(200).body("dailyQuota", equalTo(5));
    // Another replica accepted 4 of this tenant's messages today.
    long today = Math.floorDiv(System.currentTimeMillis(), 86_400_000L);
    database
        .preparedQuery(
            "INSERT INTO rate_usage (tenant_id, period, window_start, replica_id, count)"
                + " VALUES ($1, 'd', $2, $3, 4)")
        .execute(Tuple.of(tenant.id(), today, UUID.randomUUID()))
        .await()
        .atMost(Duration.ofSeconds(5));

    assertThat(post(tenant).statusCode()).isEqualTo(202); // its first: this replica learns of it
    Thread.sleep(500); // a few syncs (every 100 ms)
    Response over = post(tenant);
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.jsonPath().getString("type")).isEqualTo("/problems/quota-exceeded");
    assertThat(over.header("RateLimit-Limit")).isEqualTo("5");
    assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 86_400L);
    assertThat(storedMessages(tenant)).isEqualTo(1);

    setLimits(tenant, null, null).then().statusCode(200).body("dailyQuota", nullValue());
    assertThat(post(tenant).statusCode()).isEqualTo(202);
  }

  @Test
  void limitsAreValidated() {
    TestApi.Tenant tenant = TestApi.newTenant();
    setLimits(tenant, 0, -1L)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("messagesPerSecond"))
        .body("errors.field", hasItem("dailyQuota"));
    admin()
        .get("/admin/v1/tenants/" + tenant.id())
        .then()
        .statusCode(200)
        .body("messagesPerSecond", nullValue())
        .body("dailyQuota", nullValue());
    Map<String, Object> limits = new HashMap<>();
    limits.put("messagesPerSecond", 10);
    admin()
        .contentType(ContentType.JSON)
        .body(limits)
        .put("/admin/v1/tenants/" + UUID.randomUUID() + "/limits")
        .then()
        .statusCode(404);
  }

  private static Response setLimits(TestApi.Tenant tenant, Integer perSecond, Long dailyQuota) {
    Map<String, Object> limits = new HashMap<>();
    limits.put("messagesPerSecond", perSecond);
    limits.put("dailyQuota", dailyQuota);
    return admin()
        .contentType(ContentType.JSON)
        .body(limits)
        .put("/admin/v1/tenants/" + tenant.id() + "/limits");
  }

  private static Response post(TestApi.Tenant tenant) {
    return as(tenant.key())
        .contentType(ContentType.JSON)
        .body(message(List.of(sms())))
        .post("/v1/messages");
  }

  private long storedMessages(TestApi.Tenant tenant) {
    return database
        .preparedQuery("SELECT count(*) FROM message WHERE tenant_id = $1")
        .execute(Tuple.of(tenant.id()))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getLong(0);
  }
}
