package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Messages a broker fault stranded (confirmed, then never delivered: RabbitMQ 3.10 after a leader
 * election) come back at the broker's pace, not one batch per check: the stall watchdog makes all
 * of them due in one run, and the relay publishes batch after batch while they come full. The
 * stranded rows are copies of a real accepted message, as a lost queue entry leaves them: not
 * final, confirmed (nothing to publish), no claim, untouched for an hour.
 */
@QuarkusTest
class StrandedBacklogTest {

  // -Dcascade.test.stranded=100000 measures a bigger backlog (docs/reliability.md).
  private static final int STRANDED = Integer.getInteger("cascade.test.stranded", 5_000);

  @Inject Pool database;

  @Test
  void aStrandedBacklogIsDueWithinOneCheckAndDeliveredAtTheBrokersPace() {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    String template = send(key, message(List.of(sms())));
    awaitStatus(key, template, "delivered");
    double redrivenBefore = Metrics.sum("cascade_messages_redriven_total");

    long start = System.nanoTime();
    database
        .preparedQuery(
            "INSERT INTO message (id, tenant_id, status, text, route, created_at, updated_at,"
                + " valid_until, priority) SELECT gen_random_uuid(), tenant_id, 'ACCEPTED', text,"
                + " route, now() - interval '1 hour', now() - interval '1 hour',"
                + " now() + interval '1 hour', priority FROM message, generate_series(1, $2)"
                + " WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(template), STRANDED))
        .await()
        .atMost(Duration.ofSeconds(30));

    // Checked every second here; one check used to take 500, i.e. 10 s for 5,000.
    await()
        .atMost(Duration.ofSeconds(Math.max(5, STRANDED / 1_000)))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Metrics.sum("cascade_messages_redriven_total") - redrivenBefore >= STRANDED);
    double dueSeconds = (System.nanoTime() - start) / 1e9;
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> count(UNPUBLISHED, template) == 0);
    double publishedSeconds = (System.nanoTime() - start) / 1e9;
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> count(DELIVERED, template) == STRANDED + 1);
    double deliveredSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "stranded=%d all_due_after_s=%.2f all_back_on_the_queue_after_s=%.2f"
            + " all_delivered_after_s=%.2f%n",
        STRANDED, dueSeconds, publishedSeconds, deliveredSeconds);
    assertThat(count(DELIVERED, template)).isEqualTo(STRANDED + 1);
  }

  private static final String DELIVERED = "status = 'DELIVERED'";
  // Due for the relay or claimed by it, not yet confirmed by the broker.
  private static final String UNPUBLISHED = "publish_due_at IS NOT NULL AND status = 'ACCEPTED'";

  /** Messages of the template's tenant that match {@code condition}. */
  private long count(String condition, String template) {
    return database
        .preparedQuery(
            "SELECT count(*) FROM message WHERE "
                + condition
                + " AND tenant_id = (SELECT tenant_id FROM message WHERE id = $1)")
        .execute(Tuple.of(UUID.fromString(template)))
        .await()
        .atMost(Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }
}
