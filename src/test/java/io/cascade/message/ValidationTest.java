package io.cascade.message;

import static io.cascade.support.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a problem+json answer naming the field, and stores nothing. */
@QuarkusTest
class ValidationTest {

  private static final String SMS = "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}";
  private static String key;

  @BeforeEach
  void tenant() {
    // One tenant for the class; created here because the app is not up yet in @BeforeAll.
    if (key == null) {
      key = TestApi.newTenant().key();
    }
  }

  @AfterEach
  void nothingWasStored() {
    assertThat(as(key).get("/v1/messages").then().extract().jsonPath().getList("items")).isEmpty();
  }

  static Stream<Arguments> invalidBodies() {
    String text = "\"text\":\"Your code is 123456\"";
    return Stream.of(
        Arguments.of("{" + text + "}", "route"),
        Arguments.of("{\"route\":[]," + text + "}", "route"),
        Arguments.of("{\"route\":[" + (SMS + ",").repeat(5) + SMS + "]," + text + "}", "route"),
        Arguments.of("{\"route\":[null]," + text + "}", "route[0]"),
        Arguments.of("{\"route\":\"sms\"," + text + "}", "route"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"fax\",\"to\":\"+4915112345678\"}]," + text + "}",
            "route[0].channel"),
        Arguments.of("{\"route\":[{\"to\":\"+4915112345678\"}]," + text + "}", "route[0].channel"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"sms\",\"to\":\"015112345678\"}]," + text + "}",
            "route[0].to"),
        Arguments.of(
            "{\"route\":[" + SMS + ",{\"channel\":\"whatsapp\",\"to\":\"+0123\"}]," + text + "}",
            "route[1].to"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"voice\",\"to\":\"call me\"}]," + text + "}", "route[0].to"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"email\",\"to\":\"not-an-address\"}]," + text + "}",
            "route[0].to"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"push\",\"to\":\"\"}]," + text + "}", "route[0].to"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"email\",\"to\":\"a@b.de\",\"subject\":\""
                + "s".repeat(256)
                + "\"}],"
                + text
                + "}",
            "route[0].subject"),
        Arguments.of("{\"route\":[" + SMS + "]}", "text"),
        Arguments.of("{\"route\":[" + SMS + "],\"text\":\"\"}", "text"),
        Arguments.of("{\"route\":[" + SMS + "],\"text\":\"" + "x".repeat(4097) + "\"}", "text"),
        Arguments.of(
            "{\"route\":[" + SMS + "]," + text + ",\"validitySeconds\":9}", "validitySeconds"),
        Arguments.of(
            "{\"route\":[" + SMS + "]," + text + ",\"validitySeconds\":172801}", "validitySeconds"),
        Arguments.of(
            "{\"route\":[" + SMS + "]," + text + ",\"validitySeconds\":\"soon\"}",
            "validitySeconds"),
        Arguments.of(
            "{\"route\":[" + SMS + "]," + text + ",\"reference\":\"" + "r".repeat(129) + "\"}",
            "reference"),
        Arguments.of("{\"route\":[" + SMS + "]," + text + ",\"priority\":\"urgent\"}", "priority"),
        // Control characters: NUL cannot be stored, and a line break in a header value would start
        // a header of the sender's choosing.
        Arguments.of("{\"route\":[" + SMS + "],\"text\":\"a\\u0000b\"}", "text"),
        Arguments.of("{\"route\":[" + SMS + "],\"text\":\"bell\\u0007\"}", "text"),
        Arguments.of(
            "{\"route\":[" + SMS + "]," + text + ",\"reference\":\"order\\n42\"}", "reference"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"email\",\"to\":\"a@b.de\",\"subject\":\"Code"
                + "\\r\\nBcc: someone@example.com\"}],"
                + text
                + "}",
            "route[0].subject"),
        Arguments.of(
            "{\"route\":[{\"channel\":\"push\",\"to\":\"token\\u0000\"}]," + text + "}",
            "route[0].to"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("invalidBodies")
  void invalidFieldIsNamed(String body, String field) {
    as(key)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", org.hamcrest.Matchers.equalTo("/problems/validation"))
        .body("status", org.hamcrest.Matchers.equalTo(400))
        .body("title", org.hamcrest.Matchers.notNullValue())
        .body("detail", org.hamcrest.Matchers.notNullValue())
        .body("errors.field", hasItem(field));
  }

  @Test
  void callbackUrlWithoutATenantWebhookIsA422() {
    as(key)
        .contentType(ContentType.JSON)
        .body(
            "{\"route\":["
                + SMS
                + "],\"text\":\"hi\",\"callbackUrl\":\"https://93.184.215.14/events\"}")
        .post("/v1/messages")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", org.hamcrest.Matchers.equalTo("/problems/webhook-required"))
        .body("status", org.hamcrest.Matchers.equalTo(422))
        .body("detail", org.hamcrest.Matchers.notNullValue())
        .body("errors.field", org.hamcrest.Matchers.contains("callbackUrl"))
        .body("errors[0].message", org.hamcrest.Matchers.containsString("PUT /v1/webhook"));
  }

  @Test
  void malformedJsonIsA400() {
    as(key)
        .contentType(ContentType.JSON)
        .body("{\"route\": [")
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", org.hamcrest.Matchers.equalTo("/problems/malformed-json"))
        .body("detail", startsWith("The body is not valid JSON"));
  }

  @Test
  void missingBodyIsA400() {
    as(key)
        .contentType(ContentType.JSON)
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("body"));
  }

  @Test
  void tooLongIdempotencyKeyIsA400() {
    as(key)
        .header("Idempotency-Key", "k".repeat(256))
        .contentType(ContentType.JSON)
        .body("{\"route\":[" + SMS + "],\"text\":\"hi\"}")
        .post("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("Idempotency-Key"));
  }

  @Test
  void bodyOver64KibIsA413() {
    String body = "{\"route\":[" + SMS + "],\"text\":\"" + "x".repeat(70_000) + "\"}";
    as(key)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/messages")
        .then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("status", org.hamcrest.Matchers.equalTo(413));
  }

  @Test
  void wrongContentTypeIsA415() {
    as(key)
        .contentType(ContentType.TEXT)
        .body("route=sms")
        .post("/v1/messages")
        .then()
        .statusCode(415)
        .contentType("application/problem+json")
        .body("status", org.hamcrest.Matchers.equalTo(415));
  }

  @Test
  void tabsAndLineBreaksInTheTextAreFine() {
    String other = TestApi.newTenant().key(); // this class's tenant must stay without messages
    as(other)
        .contentType(ContentType.JSON)
        .body("{\"route\":[" + SMS + "],\"text\":\"Your code:\\t123456\\r\\nValid 5 min\"}")
        .post("/v1/messages")
        .then()
        .statusCode(202);
  }

  @Test
  void aControlCharacterInAListParameterIsNamed() {
    as(key)
        .queryParam("reference", "a\u0000b")
        .get("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", org.hamcrest.Matchers.contains("reference"))
        .body("errors[0].message", startsWith("must not contain control character U+0000"));
  }

  @Test
  void aTenantNameOnMoreThanOneLineIsRefused() {
    TestApi.admin()
        .contentType(ContentType.JSON)
        .body("{\"name\":\"shop\\nadmin\"}")
        .post("/admin/v1/tenants")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("name"));
  }

  @Test
  void invalidListParametersAreNamed() {
    as(key)
        .queryParam("status", "lost")
        .queryParam("limit", "0")
        .queryParam("cursor", "page-2")
        .get("/v1/messages")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body(
            "errors.field", org.hamcrest.Matchers.containsInAnyOrder("status", "limit", "cursor"));
  }
}
