package io.cascade.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.observability.Incidents.Incident;
import io.cascade.observability.Incidents.Kind;
import io.cascade.support.PostgresProxy;
import io.cascade.support.RabbitProxy;
import io.cascade.support.TcpProxy;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Broker and database outages made real by cutting the service's connections (a TCP proxy in front
 * of PostgreSQL and of RabbitMQ): each is recorded once over, with the recovery time the service
 * measured, and the operator console lists it.
 */
@QuarkusTest
@WithTestResource(PostgresProxy.class)
class IncidentsTest {

  private static final Duration OUTAGE = Duration.ofSeconds(2);

  @Inject Incidents incidents;

  @Test
  void aDatabaseOutageIsRecordedWithTheTimeItTookToRecover() throws Exception {
    TcpProxy database = PostgresProxy.get();
    Instant cut = Instant.now();
    database.breakConnections();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> ongoing(Kind.DATABASE));
      Thread.sleep(OUTAGE.toMillis());
    } finally {
      database.restore();
    }
    Incident incident = awaitRecorded(Kind.DATABASE, cut);
    // The probe runs every 250 ms: it notices within one interval and recovers within one or two.
    assertThat(incident.seconds()).isBetween(OUTAGE.toMillis() / 1000.0, 6.0);
    assertThat(incident.startedAt()).isBetween(cut, cut.plusSeconds(2));
    assertThat(incident.recovery()).isEqualTo("the database answers again");

    // The operator console lists it, from the table every replica writes to.
    String cookie =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("operatorToken", "test-admin-token"))
            .post("/console/api/session")
            .then()
            .statusCode(201)
            .extract()
            .cookie("cascade_console");
    List<Map<String, Object>> listed =
        given()
            .cookie("cascade_console", cookie)
            .get("/console/api/operator/figures")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("incidents");
    assertThat(listed)
        .anySatisfy(
            i -> {
              assertThat(i.get("kind")).isEqualTo("DATABASE");
              assertThat(i.get("startedAt")).isEqualTo(incident.startedAt().toString());
            });
  }

  @Test
  void aBrokerOutageIsRecordedForThePublisherAndTheConsumers() throws Exception {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    TcpProxy broker = RabbitProxy.get();
    Instant cut = Instant.now();
    broker.breakConnections();
    String id;
    try {
      // Accepted into the outbox; publishing it fails while the broker is away.
      id = TestApi.send(key, TestApi.message(List.of(TestApi.sms())));
      await().atMost(Duration.ofSeconds(10)).until(() -> ongoing(Kind.BROKER_CONSUMING));
      await().atMost(Duration.ofSeconds(10)).until(() -> ongoing(Kind.BROKER_PUBLISHING));
      Thread.sleep(OUTAGE.toMillis());
    } finally {
      broker.restore();
    }
    TestApi.awaitStatus(key, id, "delivered", Duration.ofSeconds(60));
    Incident consuming = awaitRecorded(Kind.BROKER_CONSUMING, cut);
    Incident publishing = awaitRecorded(Kind.BROKER_PUBLISHING, cut);
    assertThat(consuming.seconds()).isBetween(OUTAGE.toMillis() / 1000.0, 20.0);
    assertThat(consuming.recovery()).startsWith("consuming again on");
    assertThat(publishing.seconds()).isPositive();
    assertThat(publishing.recovery()).startsWith("connected to");
    assertThat(incidents.failures(Kind.BROKER_CONSUMING)).isPositive();
  }

  private boolean ongoing(Kind kind) {
    return incidents.ongoing().stream().anyMatch(i -> i.kind() == kind);
  }

  private Incident awaitRecorded(Kind kind, Instant since) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> recorded(kind, since), Optional::isPresent)
        .orElseThrow();
  }

  private Optional<Incident> recorded(Kind kind, Instant since) {
    return incidents.recent(50).await().indefinitely().stream()
        .filter(i -> i.kind() == kind && i.endedAt() != null && !i.startedAt().isBefore(since))
        .findFirst();
  }
}
