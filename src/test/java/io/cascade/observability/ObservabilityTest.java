package io.cascade.observability;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.simulator;
import static io.cascade.support.TestApi.sms;
import static io.cascade.support.TestApi.whatsapp;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import io.cascade.support.Management;
import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health probes, Prometheus metrics and the OpenAPI document. */
@QuarkusTest
class ObservabilityTest {

  @Test
  void probesAreUpAndEachCoversWhatItIsFor() {
    Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    Management.given()
        .get("/q/health/started")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body(
            "checks.find { it.name == 'Dispatch consumers started' }.data.consumers",
            greaterThan(0));
    List<String> readiness =
        Management.given()
            .get("/q/health/ready")
            .then()
            .statusCode(200)
            .body("status", equalTo("UP"))
            .extract()
            .jsonPath()
            .getList("checks.name");
    // Ready means able to accept: the database. The broker is health data, not readiness.
    assertThat(readiness).anyMatch(name -> name.contains("PostgreSQL"));
    assertThat(readiness).noneMatch(name -> name.contains("RabbitMQ"));
    List<String> all =
        Management.given()
            .get("/q/health")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("checks.name");
    assertThat(all).contains("RabbitMQ broker", "Dispatch consumers started");
    assertThat(Metrics.sum("cascade_broker_publisher_connected")).isEqualTo(1);
  }

  @Test
  void metricsCountAcceptancesAttemptsFailoversAndOutcomes() {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    double accepted = Metrics.sum("cascade_messages_accepted_total");
    double failovers =
        Metrics.sum(
            "cascade_failovers_total", "from=\"sms\"", "to=\"whatsapp\"", "reason=\"send_error\"");
    double delivered = Metrics.sum("cascade_messages_final_total", "status=\"delivered\"");
    simulator("sms", "fail", 0);

    awaitStatus(key, send(key, message(List.of(sms(), whatsapp()))), "delivered");

    assertThat(Metrics.sum("cascade_messages_accepted_total")).isEqualTo(accepted + 1);
    assertThat(
            Metrics.sum(
                "cascade_failovers_total",
                "from=\"sms\"",
                "to=\"whatsapp\"",
                "reason=\"send_error\""))
        .isEqualTo(failovers + 1);
    assertThat(Metrics.sum("cascade_messages_final_total", "status=\"delivered\""))
        .isEqualTo(delivered + 1);
    assertThat(
            Metrics.sum(
                "cascade_attempts_total",
                "channel=\"sms\"",
                "provider=\"simulator\"",
                "outcome=\"failed\""))
        .isPositive();
    assertThat(Metrics.sum("cascade_accept_latency_seconds_count")).isPositive();
    assertThat(Metrics.sum("cascade_delivery_latency_seconds_count", "status=\"delivered\""))
        .isPositive();
    assertThat(Metrics.scrape()).contains("ft_circuitbreaker_state_current");
  }

  @Test
  void theApiPortServesTheApiOnly() {
    for (String path :
        List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui/")) {
      given().get(path).then().statusCode(404);
      Management.given().get(path).then().statusCode(200);
    }
  }

  @Test
  void openApiDescribesEveryEndpointAndTheProblemType() {
    Management.given()
        .queryParam("format", "json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", hasKey("/v1/messages"))
        .body("paths", hasKey("/v1/messages/{id}"))
        .body("paths", hasKey("/admin/v1/tenants"))
        .body("paths", hasKey("/admin/v1/simulator/{channel}"))
        .body("components.schemas", hasKey("Problem"))
        .body("components.schemas", hasKey("Message"))
        .body("components.schemas.Message.properties", hasKey("steps"))
        .body("components.schemas.Step.properties.reason.enum", hasItem("no_receipt_in_time"))
        .body("paths.'/v1/messages'.post.responses.keySet()", hasItem("202"));
    Management.given().get("/q/swagger-ui/").then().statusCode(200);
  }
}
