package io.cascade.tenant;

import static io.cascade.support.TestApi.admin;
import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.simulator;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An operator disables a tenant: its calls are refused with 403, its pending messages are held (no
 * attempt starts) until it is enabled again or they expire, and other tenants carry on.
 */
@QuarkusTest
class TenantDisableTest {

  @Inject Pool database;

  @AfterEach
  void providersBack() {
    TestApi.resetProviders();
  }

  @Test
  void aDisabledTenantsCallsAreRefusedAndItsMessagesHeldUntilItIsEnabled()
      throws InterruptedException {
    TestApi.Tenant tenant = TestApi.newTenant();
    TestApi.Tenant other = TestApi.newTenant();
    simulator("sms", "fail", 0); // the message waits between walks of its route
    String id = send(tenant.key(), message(List.of(sms())));
    awaitStatus(tenant.key(), id, "waiting");

    admin()
        .post("/admin/v1/tenants/" + tenant.id() + "/disable")
        .then()
        .statusCode(200)
        .body("disabled", equalTo(true));
    TestApi.resetProviders();
    int attemptsWhenDisabled = attempts(id);

    as(tenant.key())
        .contentType(ContentType.JSON)
        .body(message(List.of(sms())))
        .post("/v1/messages")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("/problems/tenant-disabled"));
    as(tenant.key()).get("/v1/messages/" + id).then().statusCode(403);
    String othersMessage = send(other.key(), message(List.of(sms())));
    awaitStatus(other.key(), othersMessage, "delivered");

    // Providers are fine again, yet nothing is sent for the disabled tenant.
    Thread.sleep(3_000);
    assertThat(status(id)).isEqualTo("WAITING");
    assertThat(attempts(id))
        .isLessThanOrEqualTo(attemptsWhenDisabled + 1); // one may have been under way

    admin()
        .post("/admin/v1/tenants/" + tenant.id() + "/enable")
        .then()
        .statusCode(200)
        .body("disabled", equalTo(false));
    awaitStatus(tenant.key(), id, "delivered", Duration.ofSeconds(10));
    assertThat(
            admin()
                .get("/admin/v1/tenants/" + tenant.id())
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getBoolean("disabled"))
        .isFalse();
  }

  @Test
  void aHeldMessageStillExpires() {
    TestApi.Tenant tenant = TestApi.newTenant();
    Map<String, Object> body = new HashMap<>(message(List.of(sms())));
    body.put("validitySeconds", 10); // the shortest validity the API accepts
    simulator("sms", "fail", 0);
    String id = send(tenant.key(), body);
    awaitStatus(tenant.key(), id, "waiting");
    admin().post("/admin/v1/tenants/" + tenant.id() + "/disable").then().statusCode(200);
    TestApi.resetProviders();

    await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("EXPIRED"));
  }

  @Test
  void aDisableMadeOnAnotherReplicaCountsHereWithinFiveSeconds() {
    TestApi.Tenant tenant = TestApi.newTenant();
    as(tenant.key()).get("/v1/messages").then().statusCode(200);
    long start = System.nanoTime();
    database
        .preparedQuery("UPDATE tenant SET disabled_at = now() WHERE id = $1")
        .execute(Tuple.of(tenant.id()))
        .await()
        .atMost(Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> as(tenant.key()).get("/v1/messages").statusCode() == 403);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(5_500));
  }

  @Test
  void operatorsListAndReadTenants() {
    TestApi.Tenant first = TestApi.newTenant();
    TestApi.Tenant second = TestApi.newTenant();
    admin().post("/admin/v1/tenants/" + second.id() + "/disable").then().statusCode(200);

    List<Map<String, Object>> all = new java.util.ArrayList<>();
    String cursor = null;
    do {
      var page =
          (cursor == null ? admin() : admin().queryParam("cursor", cursor))
              .queryParam("limit", 100)
              .get("/admin/v1/tenants")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      all.addAll(page.getList("items"));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(all).anySatisfy(t -> assertThat(t.get("id")).isEqualTo(first.id().toString()));
    assertThat(all)
        .filteredOn(t -> t.get("id").equals(second.id().toString()))
        .singleElement()
        .satisfies(t -> assertThat(t.get("disabled")).isEqualTo(true));

    admin()
        .queryParam("limit", 0)
        .get("/admin/v1/tenants")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("limit"));
    admin().queryParam("cursor", "x").get("/admin/v1/tenants").then().statusCode(400);
    admin().get("/admin/v1/tenants/" + UUID.randomUUID()).then().statusCode(404);
    admin().post("/admin/v1/tenants/nope/disable").then().statusCode(404);
  }

  private String status(String id) {
    return database
        .preparedQuery("SELECT status FROM message WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id)))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getString("status");
  }

  private int attempts(String id) {
    return database
        .preparedQuery("SELECT count(*) FROM attempt WHERE message_id = $1")
        .execute(Tuple.of(UUID.fromString(id)))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getInteger(0);
  }
}
