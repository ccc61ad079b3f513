package io.cascade.tenant;

import static io.cascade.support.TestApi.as;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Tenant keys, the admin token, and tenants never seeing each other's messages. */
@QuarkusTest
class AuthenticationTest {

  private static final String BODY =
      "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"}]," + "\"text\":\"hi\"}";

  @Test
  void missingApiKeyIsA401() {
    given()
        .contentType(ContentType.JSON)
        .body(BODY)
        .post("/v1/messages")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", "Bearer")
        .body("type", equalTo("/problems/unauthorized"));
  }

  @Test
  void wrongApiKeyIsA401() {
    as("csk_not-a-key").get("/v1/messages").then().statusCode(401);
    as("csk_not-a-key")
        .contentType(ContentType.JSON)
        .body(BODY)
        .post("/v1/messages")
        .then()
        .statusCode(401);
  }

  @Test
  void adminApiNeedsTheAdminToken() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("name", "x"))
        .post("/admin/v1/tenants")
        .then()
        .statusCode(401);
    String tenantKey = TestApi.newTenant().key();
    as(tenantKey)
        .contentType(ContentType.JSON)
        .body(Map.of("name", "x"))
        .post("/admin/v1/tenants")
        .then()
        .statusCode(401);
    as("wrong")
        .contentType(ContentType.JSON)
        .body(Map.of("mode", "fail"))
        .put("/admin/v1/simulator/sms")
        .then()
        .statusCode(401);
  }

  @Test
  void adminTokenIsNotATenantKey() {
    as(TestApi.ADMIN_TOKEN).get("/v1/messages").then().statusCode(401);
  }

  @Test
  void createdTenantGetsAKeyThatWorks() {
    TestApi.admin()
        .body(Map.of("name", "acme"))
        .post("/admin/v1/tenants")
        .then()
        .statusCode(201)
        .body("name", equalTo("acme"))
        .body("id", org.hamcrest.Matchers.notNullValue())
        .body("apiKey", org.hamcrest.Matchers.startsWith("csk_"));
  }

  @Test
  void invalidTenantNameIsA400() {
    TestApi.admin()
        .body(Map.of("name", " "))
        .post("/admin/v1/tenants")
        .then()
        .statusCode(400)
        .body("errors.field", org.hamcrest.Matchers.hasItem("name"));
  }

  @Test
  void aTenantCannotSeeAnotherTenantsMessages() {
    String alice = TestApi.newTenant().key();
    String bob = TestApi.newTenant().key();
    String id = send(alice, message(List.of(sms())));

    as(bob)
        .get("/v1/messages/" + id)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    assertThat(
            as(bob)
                .get("/v1/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.id"))
        .doesNotContain(id);
    assertThat(
            as(alice)
                .get("/v1/messages")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.id"))
        .contains(id);
  }

  @Test
  void unknownMessageIsA404() {
    String key = TestApi.newTenant().key();
    as(key).get("/v1/messages/" + UUID.randomUUID()).then().statusCode(404);
    as(key).get("/v1/messages/not-a-uuid").then().statusCode(404);
  }
}
