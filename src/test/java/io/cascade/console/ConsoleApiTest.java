package io.cascade.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's sessions and tenant endpoints, over HTTP against the real store. */
@QuarkusTest
class ConsoleApiTest {

  /** A signed-in browser: its cookie and the CSRF token the page keeps in memory. */
  record Browser(String cookie, String csrf) {
    RequestSpecification request() {
      return given().cookie(ConsoleGuard.COOKIE, cookie);
    }

    RequestSpecification change() {
      return request().header(ConsoleGuard.CSRF_HEADER, csrf).contentType(ContentType.JSON);
    }
  }

  static Browser signIn(Map<String, String> credentials) {
    Response response =
        given()
            .contentType(ContentType.JSON)
            .body(credentials)
            .post("/console/api/session")
            .then()
            .statusCode(201)
            .extract()
            .response();
    return new Browser(
        response.getCookie(ConsoleGuard.COOKIE), response.jsonPath().getString("csrfToken"));
  }

  @Test
  void theSessionCookieIsHttpOnlyAndStrictAndTheKeyIsNotInIt() {
    TestApi.Tenant tenant = TestApi.newTenant();
    Response response =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("apiKey", tenant.key()))
            .post("/console/api/session");
    response.then().statusCode(201).body("role", equalTo("TENANT"));
    String setCookie = response.getHeader("Set-Cookie");
    assertThat(setCookie)
        .contains(ConsoleGuard.COOKIE + "=")
        .containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .contains("Path=/console")
        .doesNotContain(tenant.key());
    assertThat(response.jsonPath().getString("tenantId")).isEqualTo(tenant.id().toString());
  }

  @Test
  void wrongCredentialsAreRefusedAndNoSessionIsMade() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("apiKey", "csk_" + "B".repeat(43)))
        .post("/console/api/session")
        .then()
        .statusCode(401)
        .header("Set-Cookie", (String) null);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("operatorToken", "not-the-token"))
        .post("/console/api/session")
        .then()
        .statusCode(401);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("apiKey", "x", "operatorToken", "y"))
        .post("/console/api/session")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("apiKey"));
    given().get("/console/api/session").then().statusCode(401);
    given()
        .cookie(ConsoleGuard.COOKIE, "made-up")
        .get("/console/api/tenant/figures")
        .then()
        .statusCode(401);
  }

  @Test
  void changesNeedTheCsrfTokenAndTheConsolesOwnOrigin() {
    Browser browser = signIn(Map.of("apiKey", TestApi.newTenant().key()));
    Map<String, Object> test = TestApi.message(List.of(TestApi.sms()));
    browser
        .request()
        .contentType(ContentType.JSON)
        .body(test)
        .post("/console/api/tenant/messages")
        .then()
        .statusCode(403)
        .body("type", equalTo("/problems/csrf"));
    browser
        .change()
        .header("Origin", "https://evil.example")
        .body(test)
        .post("/console/api/tenant/messages")
        .then()
        .statusCode(403)
        .body("type", equalTo("/problems/cross-origin"));
    browser.change().body(test).post("/console/api/tenant/messages").then().statusCode(200);
  }

  @Test
  void aTenantFindsItsMessagesAndTheirCascadeButNeverAnotherTenants() {
    TestApi.Tenant a = TestApi.newTenant();
    TestApi.Tenant b = TestApi.newTenant();
    String reference = "console-" + System.nanoTime();
    Map<String, Object> body = new java.util.HashMap<>(TestApi.message(List.of(TestApi.sms())));
    body.put("reference", reference);
    String id = TestApi.send(a.key(), body);
    TestApi.awaitStatus(a.key(), id, "delivered", Duration.ofSeconds(10));

    Browser asA = signIn(Map.of("apiKey", a.key()));
    asA.request()
        .queryParam("reference", reference)
        .get("/console/api/tenant/messages")
        .then()
        .statusCode(200)
        .body("items.id", equalTo(List.of(id)));
    asA.request()
        .queryParam("to", "+4915112345678")
        .queryParam("status", "delivered")
        .get("/console/api/tenant/messages")
        .then()
        .statusCode(200)
        .body("items.id", hasItem(id));
    asA.request()
        .get("/console/api/tenant/messages/" + id)
        .then()
        .statusCode(200)
        .body("message.status", equalTo("delivered"))
        .body("timeline.kind", hasItem("attempt-ended"))
        .body("timeline.kind[0]", equalTo("accepted"));
    asA.request()
        .get("/console/api/tenant/figures")
        .then()
        .statusCode(200)
        .body("accepted", equalTo(1))
        .body("delivered", equalTo(1));

    // Any step's recipient finds the message, and only its own tenant's.
    String phone = "+49151" + (10_000_000 + new java.util.Random().nextInt(89_999_999));
    String mail = "console-" + System.nanoTime() + "@example.com";
    String twoRecipients =
        TestApi.send(
            a.key(),
            TestApi.message(List.of(TestApi.step("sms", phone), TestApi.step("email", mail))));
    for (String recipient : List.of(phone, mail)) {
      asA.request()
          .queryParam("to", recipient)
          .get("/console/api/tenant/messages")
          .then()
          .statusCode(200)
          .body("items.id", equalTo(List.of(twoRecipients)));
      signIn(Map.of("apiKey", b.key()))
          .request()
          .queryParam("to", recipient)
          .get("/console/api/tenant/messages")
          .then()
          .statusCode(200)
          .body("items", org.hamcrest.Matchers.empty());
    }

    String csv =
        asA.request()
            .queryParam("reference", reference)
            .get("/console/api/tenant/messages.csv")
            .then()
            .statusCode(200)
            .contentType("text/csv")
            .header("Content-Disposition", org.hamcrest.Matchers.startsWith("attachment"))
            .extract()
            .asString();
    assertThat(csv.split("\r\n"))
        .hasSize(2)
        .satisfies(lines -> assertThat(lines[1]).startsWith(id + ",delivered,normal," + reference));

    Browser asB = signIn(Map.of("apiKey", b.key()));
    assertThat(
            asB.request()
                .queryParam("id", id)
                .get("/console/api/tenant/messages.csv")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .split("\r\n"))
        .hasSize(1);
    asB.request().get("/console/api/tenant/messages/" + id).then().statusCode(404);
    asB.request()
        .queryParam("id", id)
        .get("/console/api/tenant/messages")
        .then()
        .statusCode(200)
        .body("items", equalTo(List.of()));
    asB.request()
        .get("/console/api/tenant/figures")
        .then()
        .statusCode(200)
        .body("accepted", equalTo(0));
  }

  @Test
  void badSearchInputIsA400WithTheFields() {
    Browser browser = signIn(Map.of("apiKey", TestApi.newTenant().key()));
    browser
        .request()
        .queryParam("id", "nope")
        .queryParam("status", "lost")
        .queryParam("from", "yesterday")
        .queryParam("limit", "5000")
        .get("/console/api/tenant/messages")
        .then()
        .statusCode(400)
        .body("errors.field", equalTo(List.of("id", "status", "from", "limit")));
  }

  @Test
  void anOperatorHasNoTenantPagesAndSignOutEndsTheSession() {
    Browser operator = signIn(Map.of("operatorToken", "test-admin-token"));
    operator
        .request()
        .get("/console/api/session")
        .then()
        .statusCode(200)
        .body("role", equalTo("OPERATOR"));
    operator.request().get("/console/api/tenant/figures").then().statusCode(403);
    operator
        .request()
        .get("/console/api/operator/figures")
        .then()
        .statusCode(200)
        .body("providers.channel", hasItem("sms"))
        .body("backlogs.name", hasItem("outbox due"));
    signIn(Map.of("apiKey", TestApi.newTenant().key()))
        .request()
        .get("/console/api/operator/figures")
        .then()
        .statusCode(403);

    operator
        .request()
        .get("/console/api/operator/simulators")
        .then()
        .statusCode(200)
        .body("sms.mode", equalTo("ok"));
    operator
        .request()
        .contentType(ContentType.JSON)
        .body(Map.of("mode", "fail"))
        .put("/console/api/operator/simulators/sms")
        .then()
        .statusCode(403);
    operator
        .change()
        .body(Map.of("mode", "sometimes"))
        .put("/console/api/operator/simulators/sms")
        .then()
        .statusCode(400);
    operator
        .change()
        .body(Map.of("mode", "ok"))
        .put("/console/api/operator/simulators/fax")
        .then()
        .statusCode(404);

    operator
        .change()
        .delete("/console/api/session")
        .then()
        .statusCode(204)
        .header("Set-Cookie", not(equalTo(null)));
    operator.request().get("/console/api/session").then().statusCode(401);
  }

  @Test
  void thePageIsServedByTheServiceWithAPolicyThatAllowsOnlyItsOwnFiles() {
    given()
        .redirects()
        .follow(true)
        .get("/console")
        .then()
        .statusCode(200)
        .contentType(ContentType.HTML)
        .header(
            "Content-Security-Policy", org.hamcrest.Matchers.containsString("default-src 'self'"))
        .header("X-Content-Type-Options", "nosniff");
    given().get("/console/console.js").then().statusCode(200);
  }

  @Test
  void analyticsCoverAWindowAndRefuseAnUnknownOne() {
    TestApi.Tenant tenant = TestApi.newTenant();
    TestApi.Tenant other = TestApi.newTenant();
    String id = TestApi.send(tenant.key(), TestApi.message(List.of(TestApi.sms())));
    TestApi.awaitStatus(tenant.key(), id, "delivered");
    Browser browser = signIn(Map.of("apiKey", tenant.key()));
    for (String window : List.of("1h", "24h", "7d")) {
      browser
          .request()
          .get("/console/api/tenant/analytics?window=" + window)
          .then()
          .statusCode(200)
          .body("window", equalTo(window))
          .body("providers.find { it.channel == 'sms' }.delivered", equalTo(1))
          .body("providers.find { it.channel == 'sms' }.deliveryRate", equalTo(1.0f));
    }
    browser.request().get("/console/api/tenant/analytics").then().body("window", equalTo("24h"));
    browser
        .request()
        .get("/console/api/tenant/analytics?window=2d")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("window"));
    browser.request().get("/console/api/operator/analytics").then().statusCode(403);
    signIn(Map.of("apiKey", other.key()))
        .request()
        .get("/console/api/tenant/analytics?window=1h")
        .then()
        .statusCode(200)
        .body("providers", org.hamcrest.Matchers.empty());

    Browser operator = signIn(Map.of("operatorToken", "test-admin-token"));
    operator
        .request()
        .get("/console/api/operator/analytics?window=1h")
        .then()
        .statusCode(200)
        .body(
            "providers.find { it.channel == 'sms' }.attempts",
            org.hamcrest.Matchers.greaterThan(0));
  }
}
