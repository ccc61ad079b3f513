package io.cascade.channel.smpp;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import io.cascade.receipt.ReceiptInbox;
import io.cascade.support.SmscPeer;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Receipts never cross attempts, against an SMSC that reuses message ids: a receipt for a reused id
 * is for the newest send that still waits for one, also when it overtakes the SMSC's answer to that
 * send; a receipt delivered on a new bind finds the send of the bind before; and a receipt names a
 * send of its own bind before a newer one of another bind. The SMS step waits 30 s for its receipt,
 * so every status checked here within 10 s came from a receipt.
 */
@QuarkusTest
@WithTestResource(ReceiptDurabilityTest.OneSmsc.class)
class ReusedIdsTest {

  private static final Duration SOON = Duration.ofSeconds(10);

  private final SmscPeer smsc = ReceiptDurabilityTest.OneSmsc.SMSC;
  @Inject ReceiptInbox inbox;
  @Inject Pool database;
  private String key;

  @BeforeEach
  void newTenant() {
    smsc.reset();
    key = TestApi.newTenant().key();
  }

  private String sms(String to) {
    return send(key, Map.of("route", List.of(step("sms", to)), "text", "Your code is 424242"));
  }

  private String idAtSmsc(String to) {
    await().atMost(SOON).until(() -> !smsc.submitsTo(to).isEmpty());
    return smsc.submitsTo(to).get(0).id();
  }

  @Test
  void aReceiptForAReusedIdGoesToTheNewSendAndLeavesTheOldOneAlone() {
    String first = sms("+4915100000001");
    JsonPath delivered = awaitStatus(key, first, "delivered", SOON);
    smsc.reuseOnce(idAtSmsc("+4915100000001"));

    // +49170...: the SMSC answers this one with UNDELIV, under the id the first one had.
    String second = sms("+4917000000002");
    assertThat(idAtSmsc("+4917000000002")).isEqualTo(idAtSmsc("+4915100000001"));

    await().atMost(SOON).until(() -> "undelivered".equals(attemptStatus(second)));
    JsonPath firstNow = TestApi.get(key, first);
    assertThat(firstNow.getString("status")).isEqualTo("delivered");
    assertThat(firstNow.getString("attempts[0].status")).isEqualTo("delivered");
    assertThat(firstNow.getString("updatedAt")).isEqualTo(delivered.getString("updatedAt"));
  }

  @Test
  void aReusedIdWhoseFirstSendNeverGotAReceiptNamesTheNewerSend() {
    // +49176...: the network never reports on this one.
    String lost = sms("+4917600000008");
    awaitStatus(key, lost, "sent", SOON);
    smsc.reuseOnce(idAtSmsc("+4917600000008"));

    // Its receipt comes once its id is stored: one that overtook it would find only the first
    // send, still waiting, and go there (docs/providers.md#delivery-receipts).
    smsc.holdReceipts = true;
    String second = sms("+4915100000009");
    awaitStatus(key, second, "sent", SOON);
    smsc.releaseReceipts();

    awaitStatus(key, second, "delivered", SOON);
    assertThat(TestApi.get(key, lost).getString("attempts[0].status")).isEqualTo("sent");
  }

  @Test
  void aReceiptForAReusedIdThatOvertakesTheAnswerWaitsForItsOwnSend() {
    String first = sms("+4915100000003");
    awaitStatus(key, first, "delivered", SOON);
    smsc.reuseOnce(idAtSmsc("+4915100000003"));

    // +49172...: the receipt comes before the submit_sm_resp, when only the first send holds the
    // id.
    String second = sms("+4917200000004");

    awaitStatus(key, second, "delivered", SOON);
    assertThat(idAtSmsc("+4917200000004")).isEqualTo(idAtSmsc("+4915100000003"));
    assertThat(receipts(idAtSmsc("+4917200000004")).stream().map(r -> r.getUUID("attempt_id")))
        .containsExactlyInAnyOrder(attemptId(first), attemptId(second));
  }

  @Test
  void aReceiptOnTheBindAfterARebindFindsTheSendOfTheBindBefore() {
    smsc.holdReceipts = true;
    String message = sms("+4915100000005");
    awaitStatus(key, message, "sent", SOON);
    int binds = smsc.binds.get();

    smsc.stop(); // the SMSC drops the bind with the receipt still to deliver
    smsc.start();
    await().atMost(SOON).until(() -> smsc.binds.get() > binds && smsc.hasBoundSession());
    smsc.holdReceipts = false;
    smsc.releaseReceipts();

    awaitStatus(key, message, "delivered", SOON);
    assertThat(receipts(idAtSmsc("+4915100000005")).stream().map(r -> r.getString("session")))
        .doesNotContain(partSession(attemptId(message)));
  }

  /**
   * Two binds that issued the same id, as two replicas' binds to an SMSC that numbers ids per bind:
   * a receipt on the older bind is for that bind's send, not the newer one. The second bind is this
   * service's bind after a rebind; the receipt "on the first bind" is handed to the inbox the way
   * that bind's listener would (the bind itself is gone, as it would not be on another replica).
   */
  @Test
  void aReceiptNamesTheSendOfItsOwnBindBeforeANewerOneOfAnotherBind() {
    // +49176...: this SMSC never sends the receipt itself.
    String ofFirstBind = sms("+4917600000006");
    awaitStatus(key, ofFirstBind, "sent", SOON);
    String id = idAtSmsc("+4917600000006");
    String firstBind = partSession(attemptId(ofFirstBind));
    int binds = smsc.binds.get();
    smsc.stop();
    smsc.start();
    await().atMost(SOON).until(() -> smsc.binds.get() > binds && smsc.hasBoundSession());
    smsc.holdReceipts = true;
    smsc.reuseOnce(id);
    String ofSecondBind = sms("+4915100000007");
    awaitStatus(key, ofSecondBind, "sent", SOON);
    assertThat(idAtSmsc("+4915100000007")).isEqualTo(id);
    assertThat(partSession(attemptId(ofSecondBind))).isNotEqualTo(firstBind);

    inbox
        .accept(
            new Receipt(
                "carrier",
                String.valueOf(Long.parseLong(id, 16)),
                ReceiptStatus.DELIVERED,
                null,
                firstBind))
        .await()
        .atMost(SOON);

    awaitStatus(key, ofFirstBind, "delivered", SOON);
    assertThat(TestApi.get(key, ofSecondBind).getString("status")).isEqualTo("sent");
    smsc.releaseReceipts(); // the second bind's own receipt, on the second bind
    awaitStatus(key, ofSecondBind, "delivered", SOON);
  }

  private String attemptStatus(String messageId) {
    return TestApi.get(key, messageId).getString("attempts[0].status");
  }

  private UUID attemptId(String messageId) {
    return rows("SELECT id FROM attempt WHERE message_id = $1", UUID.fromString(messageId))
        .get(0)
        .getUUID("id");
  }

  private String partSession(UUID attemptId) {
    return rows("SELECT session FROM provider_message WHERE attempt_id = $1", attemptId)
        .get(0)
        .getString("session");
  }

  /** The receipts for this SMSC id, which it sends in decimal form. */
  private List<Row> receipts(String hexId) {
    return rows(
        "SELECT attempt_id, session FROM receipt WHERE provider_message_id = $1",
        String.valueOf(Long.parseLong(hexId, 16)));
  }

  private List<Row> rows(String sql, Object parameter) {
    List<Row> rows = new ArrayList<>();
    database
        .preparedQuery(sql)
        .execute(Tuple.of(parameter))
        .await()
        .atMost(SOON)
        .forEach(rows::add);
    return rows;
  }
}
