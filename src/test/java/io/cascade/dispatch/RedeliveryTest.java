package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.message.MessageAccepted;
import io.cascade.message.Priority;
import io.cascade.support.Broker;
import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * At-least-once delivery, idempotent by stored state: the tests write the state a crash would leave
 * behind straight into PostgreSQL, then let the real queue deliver the message again.
 */
@QuarkusTest
class RedeliveryTest {

  private static final String ROUTE =
      "[{\"channel\":\"sms\",\"to\":\"+4915112345678\"},"
          + "{\"channel\":\"whatsapp\",\"to\":\"+4915112345678\"}]";

  @Inject Pool database;
  @Inject Event<MessageAccepted> accepted;

  private TestApi.Tenant tenant;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    tenant = TestApi.newTenant();
  }

  @Test
  void aDuplicateQueueEntryOfAFinishedMessageSendsNothing() throws Exception {
    String id = send(tenant.key(), message(List.of(sms())));
    awaitStatus(tenant.key(), id, "delivered");

    Broker.publishDispatch(id);
    Thread.sleep(1_500);

    assertThat(get(tenant.key(), id).getList("attempts")).hasSize(1);
  }

  @Test
  void redeliveryAfterACrashMidSendRetriesOnlyTheInterruptedStep() throws Exception {
    // The SMS step failed and was recorded; the dispatcher died while WhatsApp was being sent.
    UUID id = UUID.randomUUID();
    insertMessage(id, "SENDING", 1, "NULL");
    insertAttempt(id, 0, "SMS", "FAILED");
    insertAttempt(id, 1, "WHATSAPP", "SENDING");

    Broker.publishDispatch(id.toString());

    JsonPath message = awaitStatus(tenant.key(), id.toString(), "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getList("attempts.channel")).containsExactly("sms", "whatsapp", "whatsapp");
    assertThat(message.getList("attempts.status"))
        .containsExactly("failed", "interrupted", "delivered");
  }

  @Test
  void aStepClaimedByADeadDispatcherIsTakenOverAtOnce() throws Exception {
    // Its owner never beat (the process is gone), and the claim would last another hour.
    UUID id = UUID.randomUUID();
    insertMessage(id, "SENDING", 0, "NULL", UUID.randomUUID(), "now() + interval '1 hour'");
    insertAttempt(id, 0, "SMS", "SENDING");

    Broker.publishDispatch(id.toString());

    JsonPath message = awaitStatus(tenant.key(), id.toString(), "delivered");
    assertThat(message.getList("attempts.status")).containsExactly("interrupted", "delivered");
  }

  @Test
  void aStepClaimedByALiveDispatcherIsLeftToItUntilItFallsSilent() throws Exception {
    UUID id = sendingStepOfAnOwnerJustSeen();

    Broker.publishDispatch(id.toString());
    Thread.sleep(2_000);

    // Still the owner's while its heartbeat is fresh; it beat only once, so after three missed
    // beats (6 s in the test profile) the outbox redelivers the message and the step is taken over.
    assertThat(get(tenant.key(), id.toString()).getList("attempts.status"))
        .containsExactly("sending");
    assertThat(awaitStatus(tenant.key(), id.toString(), "delivered").getList("attempts.status"))
        .containsExactly("interrupted", "delivered");
  }

  @Test
  void aStepWhoseOwnerFellSilentIsTakenOverWithoutWaitingForTheBroker() throws Exception {
    // A frozen owner: its heartbeat stopped, its claim would last another hour, and the broker
    // keeps its delivery (the frozen process's connection stays open), so none comes back.
    UUID id = sendingStepOfAnOwnerJustSeen();
    double before = Metrics.sum("cascade_messages_redriven_total", "reason=\"silent_owner\"");

    // Three missed beats (6 s in the test profile), then within the next second's check.
    JsonPath message =
        awaitStatus(tenant.key(), id.toString(), "delivered", Duration.ofSeconds(12));
    assertThat(message.getList("attempts.status")).containsExactly("interrupted", "delivered");
    assertThat(Metrics.sum("cascade_messages_redriven_total", "reason=\"silent_owner\"") - before)
        .isEqualTo(1);
  }

  /**
   * A message whose SMS step is being sent by a dispatcher that beat just now, with a claim for an
   * hour; its id.
   */
  private UUID sendingStepOfAnOwnerJustSeen() {
    UUID owner = UUID.randomUUID();
    database
        .preparedQuery("INSERT INTO dispatcher_instance (id, seen_at) VALUES ($1, now())")
        .execute(Tuple.of(owner))
        .await()
        .indefinitely();
    UUID id = UUID.randomUUID();
    insertMessage(id, "SENDING", 0, "NULL", owner, "now() + interval '1 hour'");
    insertAttempt(id, 0, "SMS", "SENDING");
    return id;
  }

  @Test
  void theRelayPublishesAMessageThatNeverReachedTheBroker() {
    // Committed, then the process died before publishing: only the outbox row is left.
    UUID id = UUID.randomUUID();
    insertMessage(id, "ACCEPTED", 0, "now() - interval '1 second'");

    JsonPath message = awaitStatus(tenant.key(), id.toString(), "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
  }

  @Test
  void aMessageWhoseQueueEntryVanishedIsRepublishedOnceStalled() {
    // Confirmed by the broker (nothing left to publish), then its queue entry was lost: only the
    // stall watchdog (30 s limit in the test profile) can bring it back.
    UUID id = UUID.randomUUID();
    insertMessage(id, "ACCEPTED", 0, "NULL");
    database
        .preparedQuery("UPDATE message SET updated_at = now() - interval '1 minute' WHERE id = $1")
        .execute(Tuple.of(id))
        .await()
        .indefinitely();
    double redrivenBefore = Metrics.sum("cascade_messages_redriven_total");

    JsonPath message = awaitStatus(tenant.key(), id.toString(), "delivered");
    assertThat(message.getList("attempts.status")).containsExactly("delivered");
    assertThat(Metrics.sum("cascade_messages_redriven_total")).isGreaterThan(redrivenBefore);
  }

  @Test
  void aLateConfirmClearsOnlyThePublicationItConfirms() {
    // Two published messages whose confirms come back. One still has the due time it was published
    // with; the other was rescheduled meanwhile (as a dispatcher does for a WAITING message), and
    // that newer schedule must survive the confirm of the older publication.
    Instant publishedWith = Instant.parse("2030-01-01T00:00:00Z");
    UUID unchanged = UUID.randomUUID();
    UUID rescheduled = UUID.randomUUID();
    insertMessage(unchanged, "DELIVERED", 0, "'2030-01-01T00:00:00Z'");
    insertMessage(rescheduled, "DELIVERED", 0, "'2030-01-01T00:05:00Z'");

    accepted.fire(new MessageAccepted(unchanged, tenant.id(), publishedWith, Priority.NORMAL));
    accepted.fire(new MessageAccepted(rescheduled, tenant.id(), publishedWith, Priority.NORMAL));

    await().atMost(Duration.ofSeconds(10)).until(() -> publishDueAt(unchanged) == null);
    assertThat(publishDueAt(rescheduled)).isEqualTo(Instant.parse("2030-01-01T00:05:00Z"));
  }

  private Instant publishDueAt(UUID id) {
    OffsetDateTime due =
        database
            .preparedQuery("SELECT publish_due_at FROM message WHERE id = $1")
            .execute(Tuple.of(id))
            .await()
            .indefinitely()
            .iterator()
            .next()
            .getOffsetDateTime("publish_due_at");
    return due == null ? null : due.toInstant();
  }

  private void insertMessage(UUID id, String status, int step, String publishDueAt) {
    insertMessage(id, status, step, publishDueAt, null, "now() - interval '1 second'");
  }

  private void insertMessage(
      UUID id, String status, int step, String publishDueAt, UUID owner, String claimedUntil) {
    database
        .preparedQuery(
            "INSERT INTO message (id, tenant_id, status, text, route, current_step, created_at,"
                + " updated_at, valid_until, publish_due_at, claimed_by, claimed_until)"
                + " VALUES ($1, $2, $3, 'Your code is 123456', $4, $5, now(), now(),"
                + " now() + interval '1 hour', "
                + publishDueAt
                + ", $6, "
                + claimedUntil
                + ")")
        .execute(Tuple.of(id, tenant.id(), status, ROUTE, step, owner))
        .await()
        .indefinitely();
  }

  private void insertAttempt(UUID messageId, int step, String channel, String status) {
    database
        .preparedQuery(
            "INSERT INTO attempt (id, message_id, step, channel, provider, status, started_at,"
                + " ended_at, tenant_id, accepted_at) SELECT $1, $2, $3, $4, 'simulator', $5,"
                + " now() - interval '2 seconds', CASE WHEN $5 = 'SENDING' THEN NULL ELSE now()"
                + " END, m.tenant_id, m.created_at FROM message m WHERE m.id = $2")
        .execute(Tuple.of(UUID.randomUUID(), messageId, step, channel, status))
        .await()
        .indefinitely();
  }
}
