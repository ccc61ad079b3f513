package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.Management;
import io.cascade.support.Metrics;
import io.cascade.support.RabbitProxy;
import io.cascade.support.TcpProxy;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With RabbitMQ unreachable the API still accepts and stays ready (a load balancer keeps sending it
 * traffic); the broker's state shows in the health data and the metrics; the outbox delivers once
 * the broker is back.
 */
@QuarkusTest
class BrokerOutageTest {

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void messageAcceptedWhileTheBrokerIsDownIsDeliveredOnceItIsBack() throws Exception {
    TcpProxy broker = RabbitProxy.get();
    String id;
    try {
      broker.breakConnections();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Management.given().get("/q/health/well").statusCode() == 503);
      assertThat(Metrics.sum("cascade_broker_publisher_connected")).isZero();
      assertThat(Metrics.sum("cascade_broker_consumers_subscribed")).isZero();
      assertThat(Metrics.sum("cascade_broker_consumers")).isPositive();
      assertThat(
              Management.given()
                  .get("/q/health")
                  .then()
                  .statusCode(503)
                  .extract()
                  .jsonPath()
                  .getString("checks.find { it.name == 'RabbitMQ broker' }.status"))
          .isEqualTo("DOWN");

      // Ready all along: it can accept. Live: nothing a restart would fix.
      Management.given().get("/q/health/ready").then().statusCode(200);
      Management.given().get("/q/health/live").then().statusCode(200);
      id = send(key, message(List.of(sms())));

      // Stored and waiting in the outbox while no broker can take it.
      Thread.sleep(2_000);
      assertThat(get(key, id).getString("status")).isEqualTo("accepted");
    } finally {
      broker.restore();
    }

    assertThat(awaitStatus(key, id, "delivered", Duration.ofSeconds(60)).getList("attempts"))
        .hasSize(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Management.given().get("/q/health/well").statusCode() == 200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Metrics.sum("cascade_broker_consumers_subscribed")
                    == Metrics.sum("cascade_broker_consumers"));
    assertThat(Metrics.sum("cascade_broker_publisher_connected")).isEqualTo(1);
  }
}
