package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One tenant's burst does not hold back another tenant's messages of the same class. */
@QuarkusTest
@TestProfile(TenantFairnessTest.SmallFairShare.class)
class TenantFairnessTest {

  @Inject Pool database;

  /**
   * Fair share from 10 ready messages on, for tenants sending more than 5 a second; a publish lease
   * much shorter than the burst's wait, which renewals must keep from the relay.
   */
  public static class SmallFairShare implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cascade.outbox.fair-share-queue-depth", "10",
          "cascade.outbox.fair-share-tenant-rate", "5",
          "cascade.outbox.publish-lease", "1s");
    }
  }

  @AfterEach
  void fastProvidersAgain() {
    TestApi.resetProviders(); // lets the rest of the burst drain at once
  }

  @Test
  void aLightTenantsMessagesOvertakeABurstOfTheSameClass() throws InterruptedException {
    // The slow-voice provider answers in 3 s; 32 bulk deliveries in flight drain ~10 a second,
    // so without fair share 300 bulk messages stand 27 s before the light tenant's.
    TestApi.resetProviders();
    TestApi.simulator("voice", "ok", 3000);
    TestApi.Tenant heavy = TestApi.newTenant();
    TestApi.Tenant light = TestApi.newTenant();
    List<String> burst = inParallel(300, i -> send(heavy.key(), bulkVoice()));
    // The light tenant sends once the burst has waited longer than its 1 s lease and the 1 s
    // relay had its chance: were the waiting messages' leases not renewed, the relay would have
    // published all of them by now, ahead of the light tenant's.
    Thread.sleep(3_000);

    List<String> lights =
        IntStream.range(0, 3).mapToObj(i -> send(light.key(), bulkVoice())).toList();

    lights.forEach(id -> awaitStatus(light.key(), id, "delivered", Duration.ofSeconds(15)));
    // First in, first out, the light tenant's messages would come after the whole burst, with at
    // most the 32 deliveries in flight still to finish; fair share put them behind about 10 ready.
    // Counted from the stored delivery times, so that however slowly this machine answers the
    // test, what is measured is the order of the deliveries.
    long burstDeliveredBefore =
        database
            .preparedQuery(
                "SELECT count(*) AS n FROM attempt WHERE tenant_id = $1 AND delivered_at <="
                    + " (SELECT max(delivered_at) FROM attempt WHERE tenant_id = $2)")
            .execute(Tuple.of(heavy.id(), light.id()))
            .await()
            .indefinitely()
            .iterator()
            .next()
            .getLong("n");
    assertThat(burst.size() - burstDeliveredBefore)
        .as("burst messages delivered after the light tenant's")
        .isGreaterThan(100);
    assertThat(Metrics.sum("cascade_fair_share_waiting")).as("burst waiting its turn").isPositive();

    // The burst is not lost for waiting: all of it goes out.
    TestApi.resetProviders();
    burst.forEach(id -> awaitStatus(heavy.key(), id, "delivered", Duration.ofSeconds(60)));
  }

  /** Runs {@code count} calls 16 at a time; their results in order. */
  private static <T> List<T> inParallel(int count, IntFunction<T> call) {
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<T>> results =
          IntStream.range(0, count).mapToObj(i -> callers.submit(() -> call.apply(i))).toList();
      List<T> answers = new ArrayList<>();
      for (Future<T> result : results) {
        answers.add(result.get(30, TimeUnit.SECONDS));
      }
      return answers;
    } catch (Exception e) {
      throw new IllegalStateException("the calls did not complete", e);
    } finally {
      callers.shutdownNow();
    }
  }

  private static Map<String, Object> bulkVoice() {
    Map<String, Object> body =
        new HashMap<>(TestApi.message(List.of(TestApi.step("voice", "+4915112345678"))));
    body.put("priority", "bulk");
    return body;
  }
}
