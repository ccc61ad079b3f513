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

  private static final int FIRST = 0;
  private static final int SECOND = 1;
  private static final int THIRD = 2;
  private final UUID longSms = UUID.randomUUID();
  private final UUID shortSms = UUID.randomUUID();

  private PartReceipts stored() {
    return new PartReceipts(
        List.of(
            new PartState(longSms, FIRST, SENT),
            new PartState(longSms, SECOND, SENT),
            new PartState(longSms, THIRD, SENT),
            new PartState(shortSms, 0, SENT)));
  }

  @Test
  void aLongSmsIsDeliveredOnlyOnceEveryPartIs() {
    PartReceipts parts = stored();
    assertThat(parts.apply(longSms, FIRST, DELIVERED, null)).isEqualTo(SENT);
    assertThat(parts.apply(longSms, THIRD, DELIVERED, null)).isEqualTo(SENT);
    assertThat(parts.apply(longSms, SECOND, DELIVERED, null)).isEqualTo(DELIVERED);
    assertThat(parts.apply(shortSms, 0, READ, null)).isEqualTo(READ);
  }

  @Test
  void anyNegativePartMakesTheAttemptNegativeEvenAfterOthersWereDelivered() {
    PartReceipts parts = stored();
    parts.apply(longSms, FIRST, DELIVERED, null);
    assertThat(parts.apply(longSms, SECOND, UNDELIVERED, "0x0b")).isEqualTo(UNDELIVERED);
    assertThat(parts.apply(longSms, THIRD, DELIVERED, null)).isEqualTo(UNDELIVERED);
  }

  @Test
  void receiptsForOnePartInOneBatchEndAsTheyWouldOneAfterTheOther() {
    PartReceipts parts = stored();
    parts.apply(shortSms, 0, DELIVERED, null);
    // A late negative receipt after a positive one changes nothing, nor does a repeat.
    assertThat(parts.apply(shortSms, 0, UNDELIVERED, "0x0b")).isEqualTo(DELIVERED);
    assertThat(parts.apply(shortSms, 0, DELIVERED, null)).isEqualTo(DELIVERED);
    assertThat(parts.updates()).containsExactly(new PartUpdate(shortSms, 0, DELIVERED, null));
  }

  @Test
  void onlyPartsThatMovedAreWrittenEachWithItsLastStatus() {
    PartReceipts parts = stored();
    parts.apply(longSms, FIRST, DELIVERED, null);
    parts.apply(longSms, FIRST, READ, null);
    parts.apply(longSms, SECOND, SENT, null);
    parts.apply(longSms, THIRD, UNDELIVERED, "0x45");
    assertThat(parts.updates())
        .containsExactly(
            new PartUpdate(longSms, FIRST, READ, null),
            new PartUpdate(longSms, THIRD, UNDELIVERED, "0x45"));
  }
}
