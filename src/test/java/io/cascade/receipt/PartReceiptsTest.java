package io.cascade.receipt;

import static io.cascade.channel.ReceiptStatus.DELIVERED;
import static io.cascade.channel.ReceiptStatus.READ;
import static io.cascade.channel.ReceiptStatus.SENT;
import static io.cascade.channel.ReceiptStatus.UNDELIVERED;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.store.ReceiptStore.PartState;
import io.cascade.store.ReceiptStore.PartUpdate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a batch of receipts does to the parts of long SMS and to their attempts. */
class PartReceiptsTest {

  private static final String SMSC = "smsc";
  private final UUID longSms = UUID.randomUUID();
  private final UUID shortSms = UUID.randomUUID();

  private PartReceipts stored() {
    return new PartReceipts(
        List.of(
            new PartState(longSms, SMSC, "p1", SENT),
            new PartState(longSms, SMSC, "p2", SENT),
            new PartState(longSms, SMSC, "p3", SENT),
            new PartState(shortSms, SMSC, "s1", SENT)));
  }

  @Test
  void aLongSmsIsDeliveredOnlyOnceEveryPartIs() {
    PartReceipts parts = stored();
    assertThat(parts.apply(longSms, SMSC, "p1", DELIVERED, null)).isEqualTo(SENT);
    assertThat(parts.apply(longSms, SMSC, "p3", DELIVERED, null)).isEqualTo(SENT);
    assertThat(parts.apply(longSms, SMSC, "p2", DELIVERED, null)).isEqualTo(DELIVERED);
    assertThat(parts.apply(shortSms, SMSC, "s1", READ, null)).isEqualTo(READ);
  }

  @Test
  void anyNegativePartMakesTheAttemptNegativeEvenAfterOthersWereDelivered() {
    PartReceipts parts = stored();
    parts.apply(longSms, SMSC, "p1", DELIVERED, null);
    assertThat(parts.apply(longSms, SMSC, "p2", UNDELIVERED, "0x0b")).isEqualTo(UNDELIVERED);
    assertThat(parts.apply(longSms, SMSC, "p3", DELIVERED, null)).isEqualTo(UNDELIVERED);
  }

  @Test
  void receiptsForOnePartInOneBatchEndAsTheyWouldOneAfterTheOther() {
    PartReceipts parts = stored();
    parts.apply(shortSms, SMSC, "s1", DELIVERED, null);
    // A late negative receipt after a positive one changes nothing, nor does a repeat.
    assertThat(parts.apply(shortSms, SMSC, "s1", UNDELIVERED, "0x0b")).isEqualTo(DELIVERED);
    assertThat(parts.apply(shortSms, SMSC, "s1", DELIVERED, null)).isEqualTo(DELIVERED);
    assertThat(parts.updates()).containsExactly(new PartUpdate(SMSC, "s1", DELIVERED, null));
  }

  @Test
  void onlyPartsThatMovedAreWrittenEachWithItsLastStatus() {
    PartReceipts parts = stored();
    parts.apply(longSms, SMSC, "p1", DELIVERED, null);
    parts.apply(longSms, SMSC, "p1", READ, null);
    parts.apply(longSms, SMSC, "p2", SENT, null);
    parts.apply(longSms, SMSC, "p3", UNDELIVERED, "0x45");
    assertThat(parts.updates())
        .containsExactly(
            new PartUpdate(SMSC, "p1", READ, null),
            new PartUpdate(SMSC, "p3", UNDELIVERED, "0x45"));
  }
}
