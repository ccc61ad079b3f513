package io.cascade.tenant;

import static io.cascade.support.TestApi.admin;
import static io.cascade.support.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tenant's keys: created and shown once, listed without the key, revoked at once here and within
 * the cache's 5 s on a replica that only the database told; unknown keys cost at most one lookup.
 */
@QuarkusTest
class KeyLifecycleTest {

  @Inject Pool database;

  @Test
  void aTenantRotatesItsKeyWithoutAGap() {
    TestApi.Tenant tenant = TestApi.newTenant();
    JsonPath created = createKey(tenant.key(), "deploy 2026-12");
    String newKey = created.getString("key");
    assertThat(newKey).startsWith(created.getString("prefix")).hasSize(47);

    // Both keys work while the app switches over.
    as(tenant.key()).get("/v1/messages").then().statusCode(200);
    as(newKey).get("/v1/messages").then().statusCode(200);

    List<Map<String, Object>> keys =
        as(newKey).get("/v1/keys").then().statusCode(200).extract().jsonPath().getList("$");
    assertThat(keys).hasSize(2);
    assertThat(keys.toString()).doesNotContain(newKey).doesNotContain(tenant.key());
    String firstKeyId =
        keys.stream()
            .filter(k -> k.get("name").equals("first key"))
            .findFirst()
            .orElseThrow()
            .get("id")
            .toString();

    as(newKey)
        .delete("/v1/keys/" + firstKeyId)
        .then()
        .statusCode(200)
        .body("revokedAt", org.hamcrest.Matchers.notNullValue());
    as(tenant.key()).get("/v1/messages").then().statusCode(401);
    as(newKey).get("/v1/messages").then().statusCode(200);
    as(newKey).delete("/v1/keys/" + firstKeyId).then().statusCode(200); // again: no change
  }

  @Test
  void theLastActiveKeyIsKeptUnlessAnOperatorRevokesIt() {
    TestApi.Tenant tenant = TestApi.newTenant();
    String keyId = as(tenant.key()).get("/v1/keys").then().extract().jsonPath().getString("[0].id");

    as(tenant.key())
        .delete("/v1/keys/" + keyId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("/problems/last-key"));
    as(tenant.key()).get("/v1/messages").then().statusCode(200);

    admin().delete("/admin/v1/tenants/" + tenant.id() + "/keys/" + keyId).then().statusCode(200);
    as(tenant.key()).get("/v1/messages").then().statusCode(401);
    String fresh =
        admin()
            .body(Map.of("name", "after lockout"))
            .post("/admin/v1/tenants/" + tenant.id() + "/keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    as(fresh).get("/v1/messages").then().statusCode(200);
    assertThat(
            admin()
                .get("/admin/v1/tenants/" + tenant.id() + "/keys")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$"))
        .hasSize(2);
  }

  /** Revoking each of its last two keys at once, a tenant keeps one of them. */
  @Test
  void twoRevocationsAtOnceLeaveOneKey() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        TestApi.Tenant tenant = TestApi.newTenant();
        String firstId =
            as(tenant.key()).get("/v1/keys").then().extract().jsonPath().getString("[0].id");
        JsonPath second = createKey(tenant.key(), "second");
        Future<Integer> one =
            pool.submit(
                () -> as(tenant.key()).delete("/v1/keys/" + second.getString("id")).statusCode());
        Future<Integer> other =
            pool.submit(
                () -> as(second.getString("key")).delete("/v1/keys/" + firstId).statusCode());
        // The later one is refused as the last key (409), or, when the earlier one had already
        // revoked the key it is sent with, as a revoked key (401).
        List<Integer> answers =
            List.of(one.get(10, TimeUnit.SECONDS), other.get(10, TimeUnit.SECONDS));
        assertThat(answers).containsOnlyOnce(200).containsAnyOf(409, 401);
        assertThat(
                database
                    .preparedQuery(
                        "SELECT count(*) FROM api_key WHERE tenant_id = $1 AND revoked_at IS NULL")
                    .execute(Tuple.of(tenant.id()))
                    .await()
                    .atMost(Duration.ofSeconds(5))
                    .iterator()
                    .next()
                    .getLong(0))
            .isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTenantNeverReachesAnotherTenantsKeys() {
    TestApi.Tenant a = TestApi.newTenant();
    TestApi.Tenant b = TestApi.newTenant();
    createKey(a.key(), "second");
    String aKeyId = as(a.key()).get("/v1/keys").then().extract().jsonPath().getString("[0].id");

    as(b.key()).delete("/v1/keys/" + aKeyId).then().statusCode(404);
    as(b.key()).delete("/v1/keys/not-an-id").then().statusCode(404);
    assertThat(as(b.key()).get("/v1/keys").then().extract().jsonPath().getList("id"))
        .doesNotContain(aKeyId);
    as(a.key()).get("/v1/messages").then().statusCode(200);
    admin().delete("/admin/v1/tenants/" + b.id() + "/keys/" + aKeyId).then().statusCode(404);
  }

  @Test
  void badKeyNamesAreRefusedAndTheNumberOfKeysIsBounded() {
    TestApi.Tenant tenant = TestApi.newTenant();
    as(tenant.key())
        .contentType(ContentType.JSON)
        .body(Map.of("name", "a\u0000b"))
        .post("/v1/keys")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("name"));
    for (int i = 1; i < 20; i++) {
      createKey(tenant.key(), "k" + i);
    }
    as(tenant.key())
        .contentType(ContentType.JSON)
        .body(Map.of("name", "one too many"))
        .post("/v1/keys")
        .then()
        .statusCode(409)
        .body("type", equalTo("/problems/too-many-keys"));
  }

  @Test
  void aKeyRevokedOnAnotherReplicaStopsWorkingHereWithinFiveSeconds() {
    TestApi.Tenant tenant = TestApi.newTenant();
    String second = createKey(tenant.key(), "second").getString("key");
    as(tenant.key()).get("/v1/messages").then().statusCode(200); // cached here now

    // Another replica revokes it: this one learns only from the database.
    long revokedAt = System.nanoTime();
    execute(
        "UPDATE api_key SET revoked_at = now() WHERE tenant_id = $1 AND name = 'first key'",
        tenant.id());
    await()
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> as(tenant.key()).get("/v1/messages").statusCode() == 401);
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt))
        .isLessThan(Duration.ofMillis(5_500));
    as(second).get("/v1/messages").then().statusCode(200);
  }

  @Test
  void lastUseIsRecorded() {
    TestApi.Tenant tenant = TestApi.newTenant();
    // The listing's own call is a use; it is recorded beside the call, not before its answer.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                as(tenant.key())
                        .get("/v1/keys")
                        .then()
                        .extract()
                        .jsonPath()
                        .getString("[0].lastUsedAt")
                    != null);
  }

  @Test
  void aRetriedUnknownKeyCostsOneLookupAndAMalformedOneNone() {
    String unknown =
        "csk_" + "A".repeat(22) + UUID.randomUUID().toString().replace("-", "").substring(0, 21);
    double before = Metrics.sum("cascade_auth_lookups_total", "result", "unknown");
    for (int i = 0; i < 30; i++) {
      as(unknown).get("/v1/messages").then().statusCode(401);
      as("csk_short" + i).get("/v1/messages").then().statusCode(401);
    }
    assertThat(Metrics.sum("cascade_auth_lookups_total", "result", "unknown") - before)
        .isEqualTo(1);
  }

  @Test
  void aFloodOfMadeUpKeysLeavesKnownTenantsServed() throws Exception {
    TestApi.Tenant tenant = TestApi.newTenant();
    as(tenant.key()).get("/v1/messages").then().statusCode(200);
    ExecutorService flood = Executors.newFixedThreadPool(32);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String madeUp =
            "csk_"
                + (UUID.randomUUID().toString() + UUID.randomUUID())
                    .replace("-", "")
                    .substring(0, 43);
        answers.add(flood.submit(() -> as(madeUp).get("/v1/messages").statusCode()));
      }
      // Meanwhile the known tenant is answered as usual.
      for (int i = 0; i < 20; i++) {
        long start = System.nanoTime();
        as(tenant.key()).get("/v1/messages?limit=1").then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS)).isIn(401, 503);
      }
    } finally {
      flood.shutdownNow();
    }
  }

  private static JsonPath createKey(String key, String name) {
    return as(key)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name))
        .post("/v1/keys")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private void execute(String sql, UUID tenantId) {
    database.preparedQuery(sql).execute(Tuple.of(tenantId)).await().atMost(Duration.ofSeconds(5));
  }
}
