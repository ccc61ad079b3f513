package io.cascade.channel.smpp;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.get;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static io.cascade.support.TestApi.whatsapp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cascade.support.SmscPeer;
import io.cascade.support.SmscPeers;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SMS channel over SMPP against four real SMSCs on loopback ({@link SmscPeers}: carriers a and
 * b hot, c warm, d cold), scripted by destination number (see {@link SmscPeer}).
 */
@QuarkusTest
@WithTestResource(SmscPeers.class)
class SmppProviderTest {

  private static final List<SmscPeer> PEERS =
      List.of(SmscPeers.A, SmscPeers.B, SmscPeers.C, SmscPeers.D);

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    PEERS.forEach(SmscPeer::reset);
    // Hot and warm carriers bind at start-up and rebind after a test stopped them.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                SmscPeers.A.hasBoundSession()
                    && SmscPeers.B.hasBoundSession()
                    && SmscPeers.C.hasBoundSession());
    key = TestApi.newTenant().key();
  }

  @Test
  void submitsOverSmppAndTheDeliveryReceiptDeliversTheMessage() {
    String to = number("4915");

    String id = send(key, sms(to, "Your code is 123456"));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
    assertThat(message.getString("attempts[0].status")).isEqualTo("delivered");
    assertThat(message.getString("attempts[0].provider")).isIn("carrier-a", "carrier-b");
    assertThat(message.getInt("attempts[0].parts")).isEqualTo(1);
    SmscPeer.Submit submit = onlySubmitTo(to);
    // The SMSC answered with a hex id and named the message by its decimal form in the receipt.
    assertThat(message.getString("attempts[0].providerMessageId")).isEqualTo(submit.id());
    assertThat(submit.dataCoding()).isZero();
    assertThat(submit.hasUdh()).isFalse();
    assertThat(submit.registeredDelivery()).isEqualTo((byte) 1); // success and failure receipts
    assertThat(new String(submit.payload())).isEqualTo("Your code is 123456");
  }

  @Test
  void aReceiptNamingTheMessageOnlyInTheTlvIsMatchedToo() {
    String id = send(key, sms(number("49175"), "TLV receipt"));

    assertThat(awaitStatus(key, id, "delivered").getString("attempts[0].status"))
        .isEqualTo("delivered");
  }

  @Test
  void aLongTextGoesOutAsConcatenatedPartsAndIsDeliveredWhenEveryPartIs() {
    String to = number("4915");
    String text = "A".repeat(200);

    String id = send(key, sms(to, text));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getInt("attempts[0].parts")).isEqualTo(2);
    List<SmscPeer.Submit> parts = submitsTo(to);
    assertThat(parts).hasSize(2).allMatch(SmscPeer.Submit::hasUdh);
    assertThat(parts.get(0).payload()[4]).isEqualTo((byte) 2); // total parts in the UDH
  }

  @Test
  void aTextOutsideGsm7GoesOutAsUcs2() {
    String to = number("4915");

    String id = send(key, sms(to, "Ваш код 123456"));

    awaitStatus(key, id, "delivered");
    SmscPeer.Submit submit = onlySubmitTo(to);
    assertThat(submit.dataCoding()).isEqualTo((byte) 0x08);
    assertThat(new String(submit.payload(), java.nio.charset.StandardCharsets.UTF_16BE))
        .isEqualTo("Ваш код 123456");
  }

  @Test
  void aNegativeReceiptMarksTheAttemptUndeliveredWithTheCarrierErrorCode() {
    String id = send(key, sms(number("49170"), "Your code is 123456"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "undelivered".equals(get(key, id).getString("attempts[0].status")));
    JsonPath message = get(key, id);
    assertThat(message.getString("attempts[0].error")).contains("undelivered", "034");
    // No step is left to fail over to: the provider took it, so the message stays sent.
    assertThat(message.getString("status")).isEqualTo("sent");
  }

  @Test
  void aReceiptThatArrivesBeforeTheSubmitResponseIsNotLost() {
    String id = send(key, sms(number("49172"), "Your code is 123456"));

    assertThat(awaitStatus(key, id, "delivered").getString("attempts[0].status"))
        .isEqualTo("delivered");
  }

  @Test
  void aThrottledSubmitIsSentAgainInsteadOfFailing() {
    String to = number("49171");

    String id = send(key, sms(to, "Your code is 123456"));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("attempts")).hasSize(1);
    assertThat(onlySubmitTo(to)).isNotNull();
  }

  @Test
  void aRefusedDestinationIsRejectedAndTheNextStepGoesOut() {
    String id =
        send(
            key,
            Map.of("route", List.of(step("sms", number("49173")), whatsapp()), "text", "Code 1"));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getList("attempts")).hasSize(2);
  }

  @Test
  void aCarrierFailingTransientlyHandsTheStepToTheOtherHotCarrier() {
    SmscPeers.A.failSubmits = true;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(send(key, sms(number("4915"), "Your code is 123456")));
    }

    int failedOver = 0;
    for (String id : ids) {
      JsonPath message = awaitStatus(key, id, "delivered");
      List<String> providers = message.getList("attempts.provider");
      assertThat(providers).endsWith("carrier-b");
      assertThat(message.getList("attempts.channel", String.class)).containsOnly("sms");
      if (providers.size() == 2) {
        assertThat(providers.get(0)).isEqualTo("carrier-a");
        assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
        failedOver++;
      }
    }
    // Each message picks a (weighted) random hot carrier first: some must have picked a.
    assertThat(failedOver).isPositive();
  }

  @Test
  void hotCarriersShareTheTrafficWhileWarmAndColdOnesWait() {
    int before = SmscPeers.C.submits.size() + SmscPeers.D.submits.size();
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String to = number("4915");
      numbers.add(to);
      awaitStatus(key, send(key, sms(to, "Your code is 123456")), "delivered");
    }

    long viaA = numbers.stream().filter(to -> !SmscPeers.A.submitsTo(to).isEmpty()).count();
    long viaB = numbers.stream().filter(to -> !SmscPeers.B.submitsTo(to).isEmpty()).count();
    assertThat(viaA + viaB).isEqualTo(20);
    assertThat(viaA).isPositive();
    assertThat(viaB).isPositive();
    assertThat(SmscPeers.C.submits.size() + SmscPeers.D.submits.size()).isEqualTo(before);
  }

  @Test
  void carriersFailOverHotToWarmToColdToTheNextChannelAndRebindAfterTheSmscIsBack() {
    // The cold carrier has never been needed yet, so it has never bound.
    assertThat(SmscPeers.D.binds.get()).isZero();

    SmscPeers.A.stop();
    SmscPeers.B.stop();
    await().until(() -> !SmscPeers.A.hasBoundSession() && !SmscPeers.B.hasBoundSession());
    String viaWarm = number("4915");
    JsonPath warm = awaitStatus(key, send(key, sms(viaWarm, "warm")), "delivered");
    // The hot carriers are down, so they are not even tried: one attempt, over the warm one.
    assertThat(warm.getList("attempts.provider")).containsExactly("carrier-c");
    assertThat(SmscPeers.C.submitsTo(viaWarm)).hasSize(1);

    SmscPeers.C.stop();
    String viaCold = number("4915");
    JsonPath cold = awaitStatus(key, send(key, sms(viaCold, "cold")), "delivered");
    assertThat(cold.getList("attempts.provider")).containsExactly("carrier-d");
    assertThat(SmscPeers.D.binds.get()).isEqualTo(1);
    assertThat(SmscPeers.D.submitsTo(viaCold)).hasSize(1);

    SmscPeers.D.stop();
    String id =
        send(key, Map.of("route", List.of(step("sms", number("4915")), whatsapp()), "text", "x"));
    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("whatsapp");
    // An SMS-only message accepted while every carrier is down waits for them; nothing is lost.
    String stranded = number("4915");
    String waiting = send(key, sms(stranded, "waits"));
    awaitStatus(key, waiting, "waiting");

    // A refuses binds for a while after its restart, then accepts: the carrier rebinds by itself.
    int bindsBefore = SmscPeers.A.binds.get();
    SmscPeers.A.refuseBinds = true;
    SmscPeers.A.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> SmscPeers.A.refusedBinds.get() >= 2);
    SmscPeers.A.refuseBinds = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> SmscPeers.A.binds.get() > bindsBefore);
    String afterRestart = number("4915");
    awaitStatus(key, send(key, sms(afterRestart, "back")), "delivered");
    assertThat(SmscPeers.A.submitsTo(afterRestart)).hasSize(1);
    awaitStatus(key, waiting, "delivered", Duration.ofSeconds(20));
    assertThat(SmscPeers.A.submitsTo(stranded)).hasSize(1);
  }

  @Test
  void aThroughputLimitPacesTheSubmitsOfACarrier() {
    SmscPeers.A.stop();
    SmscPeers.B.stop();
    await().until(() -> !SmscPeers.A.hasBoundSession() && !SmscPeers.B.hasBoundSession());
    List<String> numbers = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      numbers.add(number("4915"));
      ids.add(send(key, sms(numbers.get(i), "paced " + i)));
    }
    ids.forEach(id -> awaitStatus(key, id, "delivered"));

    List<Long> times =
        numbers.stream()
            .map(to -> SmscPeers.C.submitsTo(to).get(0).receivedNanos())
            .sorted()
            .toList();
    long spanMillis = (times.get(times.size() - 1) - times.get(0)) / 1_000_000;
    // 10 submits at 20/s take at least 9 intervals of 50 ms (a little slack for clock reads).
    assertThat(spanMillis).isGreaterThanOrEqualTo(9 * 1000 / SmscPeers.C_THROUGHPUT - 20);
  }

  @Test
  void aBurstOf2000ReceiptsLosesNone() {
    PEERS.forEach(peer -> peer.holdReceipts = true);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      ids.add(send(key, sms(number("4915"), "burst " + i)));
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> PEERS.stream().mapToInt(peer -> peer.submits.size()).sum() >= 2000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> none("accepted") && none("sending") && none("waiting"));
    assertThat(count("sent")).isEqualTo(2000);
    int refusedBefore = PEERS.stream().mapToInt(peer -> peer.receiptsRefused.get()).sum();

    PEERS.forEach(SmscPeer::releaseReceipts);

    assertThat(PEERS.stream().mapToInt(peer -> peer.receiptsRefused.get()).sum())
        .isEqualTo(refusedBefore);
    await().atMost(Duration.ofSeconds(60)).until(() -> none("sent"));
    assertThat(count("delivered")).isEqualTo(ids.size());
  }

  /** Whether this test's tenant has no message in {@code status}. */
  private boolean none(String status) {
    return page(status, null).getList("items").isEmpty();
  }

  /** How many of this test's tenant's messages are in {@code status}. */
  private int count(String status) {
    int count = 0;
    String cursor = null;
    do {
      JsonPath page = page(status, cursor);
      count += page.getList("items").size();
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return count;
  }

  private JsonPath page(String status, String cursor) {
    var request = TestApi.as(key).queryParam("status", status).queryParam("limit", 100);
    if (cursor != null) {
      request.queryParam("cursor", cursor);
    }
    return request.get("/v1/messages").then().statusCode(200).extract().jsonPath();
  }

  private static Map<String, Object> sms(String to, String text) {
    return Map.of("route", List.of(step("sms", to)), "text", text);
  }

  /** A fresh E.164 number starting with the given digits (they script the SMSC). */
  private static String number(String prefix) {
    StringBuilder number = new StringBuilder("+").append(prefix);
    while (number.length() < 13) {
      number.append(ThreadLocalRandom.current().nextInt(10));
    }
    return number.toString();
  }

  private static List<SmscPeer.Submit> submitsTo(String to) {
    return PEERS.stream().flatMap(peer -> peer.submitsTo(to).stream()).toList();
  }

  private static SmscPeer.Submit onlySubmitTo(String to) {
    List<SmscPeer.Submit> submits = submitsTo(to);
    assertThat(submits).hasSize(1);
    return submits.get(0);
  }
}
