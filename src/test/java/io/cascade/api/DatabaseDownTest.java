package io.cascade.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.cascade.support.Management;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With PostgreSQL unreachable the API answers 503 with Retry-After, and readiness is down. */
@QuarkusTest
@TestProfile(DatabaseDownTest.UnreachableDatabase.class)
class DatabaseDownTest {

  /** Points the service at a port where no database listens. */
  public static class UnreachableDatabase implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/cascade_test",
          "quarkus.flyway.migrate-at-start", "false",
          "quarkus.hibernate-orm.database.version-check.enabled", "false");
    }
  }

  @Test
  void sendIsA503WithRetryAfter() {
    given()
        // Shaped like a key, so that checking it needs the database (a malformed one is a 401).
        .header("Authorization", "Bearer csk_" + "A".repeat(43))
        .contentType(ContentType.JSON)
        .body("{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"}],\"text\":\"hi\"}")
        .post("/v1/messages")
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .header("Retry-After", notNullValue())
        .body("type", equalTo("/problems/unavailable"));
  }

  @Test
  void tenantCreationIsA503() {
    TestApi.admin()
        .body(Map.of("name", "acme"))
        .post("/admin/v1/tenants")
        .then()
        .statusCode(503)
        .header("Retry-After", notNullValue());
  }

  @Test
  void readinessIsDown() {
    Management.given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", equalTo("DOWN"));
    Management.given().get("/q/health/live").then().statusCode(200);
  }
}
