package io.cascade.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Drives the service through its public HTTP API, as a tenant app and an operator would. */
public final class TestApi {

  /** The admin token of the test profile. */
  public static final String ADMIN_TOKEN = "test-admin-token";

  public static final List<String> CHANNELS = List.of("sms", "whatsapp", "push", "email", "voice");

  private TestApi() {}

  /** A JSON request authenticated with the admin token. */
  public static RequestSpecification admin() {
    return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON);
  }

  /** A tenant created through the admin API. */
  public record Tenant(UUID id, String key, String name) {}

  /** Creates a tenant and returns its id, API key and name. */
  public static Tenant newTenant() {
    String name = "tenant-" + UUID.randomUUID();
    JsonPath created =
        admin()
            .body(Map.of("name", name))
            .post("/admin/v1/tenants")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new Tenant(UUID.fromString(created.getString("id")), created.getString("apiKey"), name);
  }

  /** A request authenticated with {@code apiKey}. */
  public static RequestSpecification as(String apiKey) {
    return given().header("Authorization", "Bearer " + apiKey);
  }

  /** The webhook events of a message, in sequence order, with their delivery. */
  public static JsonPath events(String apiKey, String id) {
    return as(apiKey)
        .get("/v1/messages/" + id + "/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** Sends a message, expects 202 and returns its id. */
  public static String send(String apiKey, Object body) {
    return as(apiKey)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/messages")
        .then()
        .statusCode(202)
        .extract()
        .path("id");
  }

  public static JsonPath get(String apiKey, String id) {
    return as(apiKey).get("/v1/messages/" + id).then().statusCode(200).extract().jsonPath();
  }

  /** Waits until the message reaches {@code status} and returns its view. */
  public static JsonPath awaitStatus(String apiKey, String id, String status, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status.equals(get(apiKey, id).getString("status")));
    return get(apiKey, id);
  }

  public static JsonPath awaitStatus(String apiKey, String id, String status) {
    return awaitStatus(apiKey, id, status, Duration.ofSeconds(15));
  }

  /** A message body with the given route steps and defaults for the rest. */
  public static Map<String, Object> message(List<Map<String, Object>> route) {
    return Map.of("route", route, "text", "Your code is 123456");
  }

  public static Map<String, Object> step(String channel, String to) {
    return Map.of("channel", channel, "to", to);
  }

  public static Map<String, Object> sms() {
    return step("sms", "+4915112345678");
  }

  public static Map<String, Object> whatsapp() {
    return step("whatsapp", "+4915112345678");
  }

  public static Map<String, Object> email() {
    return step("email", "user@example.com");
  }

  /** Switches one channel's simulator. */
  public static void simulator(String channel, String mode, int latencyMs) {
    admin()
        .body(Map.of("mode", mode, "latencyMs", latencyMs))
        .put("/admin/v1/simulator/" + channel)
        .then()
        .statusCode(204);
  }

  /** Every simulator answers ok at once and every circuit is closed: each test starts clean. */
  public static void resetProviders() {
    CHANNELS.forEach(channel -> simulator(channel, "ok", 0));
    CircuitBreakerMaintenance.get().resetAll();
  }
}
