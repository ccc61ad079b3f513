package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.Management;
import io.cascade.support.RabbitProxy;
import io.cascade.support.TcpProxy;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With RabbitMQ unreachable the API still accepts; the outbox delivers once the broker is back. */
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
          .until(() -> Management.given().get("/q/health/ready").statusCode() == 503);

      // Liveness must not ask for a restart: the process makes progress and will reconnect.
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
        .until(() -> Management.given().get("/q/health/ready").statusCode() == 200);
  }
}
