package io.cascade.channel.smpp;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.PostgresProxy;
import io.cascade.support.SmscPeer;
import io.cascade.support.TcpProxy;
import io.cascade.support.TestApi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A receipt is acknowledged to the SMSC only once it is stored: with PostgreSQL away, the SMSC gets
 * a temporary error for every receipt, and the receipts it delivers again later are all applied.
 */
@QuarkusTest
@WithTestResource(PostgresProxy.class)
@WithTestResource(ReceiptDurabilityTest.OneSmsc.class)
class ReceiptDurabilityTest {

  /** One hot SMPP carrier that rebinds quickly. */
  public static class OneSmsc implements QuarkusTestResourceLifecycleManager {
    static final SmscPeer SMSC = new SmscPeer("durable");

    @Override
    public Map<String, String> start() {
      SMSC.start();
      String prefix = "cascade.provider.carrier.";
      return Map.of(
          "cascade.channel.sms.providers",
          "carrier",
          prefix + "type",
          "smpp",
          prefix + "smpp.host",
          "127.0.0.1",
          prefix + "smpp.port",
          String.valueOf(SMSC.port),
          prefix + "smpp.system-id",
          "cascade",
          prefix + "smpp.source-address",
          "Cascade",
          prefix + "smpp.rebind-delay",
          "100ms",
          prefix + "smpp.rebind-max-delay",
          "200ms");
    }

    @Override
    public void stop() {
      SMSC.stop();
    }
  }

  @Test
  void receiptsRefusedWhileTheDatabaseIsAwayAreAppliedWhenTheSmscDeliversThemAgain()
      throws IOException {
    String key = TestApi.newTenant().key();
    SmscPeer smsc = OneSmsc.SMSC;
    smsc.holdReceipts = true;
    List<String> ids =
        List.of(
            send(key, Map.of("route", List.of(step("sms", "+4915111111111")), "text", "one")),
            send(key, Map.of("route", List.of(step("sms", "+4915122222222")), "text", "two")));
    ids.forEach(id -> awaitStatus(key, id, "sent"));
    int refusedBefore = smsc.receiptsRefused.get();

    TcpProxy database = PostgresProxy.get();
    database.breakConnections();
    try {
      smsc.releaseReceipts();
      assertThat(smsc.receiptsRefused.get() - refusedBefore).isEqualTo(2);
    } finally {
      database.restore();
    }

    smsc.holdReceipts = false;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              smsc.redeliverRefused();
              return ids.stream()
                  .allMatch(id -> "delivered".equals(TestApi.get(key, id).getString("status")));
            });
  }
}
