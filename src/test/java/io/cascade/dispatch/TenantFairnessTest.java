package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One tenant's burst does not hold back another tenant's messages of the same class. */
@QuarkusTest
@TestProfile(TenantFairnessTest.SmallFairShare.class)
class TenantFairnessTest {

  /** Fair share from 10 ready messages on, for tenants sending more than 5 a second. */
  public static class SmallFairShare implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cascade.outbox.fair-share-queue-depth", "10",
          "cascade.outbox.fair-share-tenant-rate", "5");
    }
  }

  @AfterEach
  void fastProvidersAgain() {
    TestApi.resetProviders(); // lets the rest of the burst drain at once
  }

  @Test
  void aLightTenantsMessagesOvertakeABurstOfTheSameClass() {
    // The slow-voice provider answers in 3 s; 32 bulk deliveries in flight drain ~10 a second,
    // so without fair share 200 bulk messages stand 17 s before the light tenant's.
    TestApi.resetProviders();
    TestApi.simulator("voice", "ok", 3000);
    TestApi.Tenant heavy = TestApi.newTenant();
    TestApi.Tenant light = TestApi.newTenant();
    List<String> burst = postConcurrently(heavy, 200);

    List<String> lights =
        IntStream.range(0, 3).mapToObj(i -> send(light.key(), bulkVoice())).toList();

    lights.forEach(id -> awaitStatus(light.key(), id, "delivered", Duration.ofSeconds(15)));
    // First in, first out, the light tenant's messages would come after the whole burst, with at
    // most the 32 deliveries in flight still to finish; fair share put them behind about 10 ready.
    long burstNotDelivered =
        burst.stream()
            .filter(id -> !"delivered".equals(TestApi.get(heavy.key(), id).getString("status")))
            .count();
    assertThat(burstNotDelivered).as("burst messages still to deliver").isGreaterThan(50);
    assertThat(Metrics.sum("cascade_fair_share_waiting")).as("burst waiting its turn").isPositive();

    // The burst is not lost for waiting: all of it goes out.
    TestApi.resetProviders();
    burst.forEach(id -> awaitStatus(heavy.key(), id, "delivered", Duration.ofSeconds(60)));
  }

  private static List<String> postConcurrently(TestApi.Tenant tenant, int count) {
    ExecutorService senders = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> ids =
          IntStream.range(0, count)
              .mapToObj(i -> senders.submit(() -> send(tenant.key(), bulkVoice())))
              .toList();
      List<String> accepted = new ArrayList<>();
      for (Future<String> id : ids) {
        accepted.add(id.get(30, TimeUnit.SECONDS));
      }
      return accepted;
    } catch (Exception e) {
      throw new IllegalStateException("the burst was not accepted", e);
    } finally {
      senders.shutdownNow();
    }
  }

  private static Map<String, Object> bulkVoice() {
    Map<String, Object> body =
        new HashMap<>(TestApi.message(List.of(TestApi.step("voice", "+4915112345678"))));
    body.put("priority", "bulk");
    return body;
  }
}
