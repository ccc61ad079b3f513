package io.cascade.channel.smpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import java.nio.charset.StandardCharsets;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.junit.jupiter.api.Test;

/** Reading delivery receipts out of {@code deliver_sm} PDUs as SMSCs write them. */
class SmppReceiptsTest {

  @Test
  void readsTheReceiptText() {
    Receipt receipt =
        SmppReceipts.parse(
                "carrier",
                "bind-1",
                deliverSm(
                    "id:1234567 sub:001 dlvrd:000 submit date:2611270000 done date:2611270001"
                        + " stat:UNDELIV err:034 text:Your code"))
            .orElseThrow();

    assertThat(receipt)
        .isEqualTo(new Receipt("carrier", "1234567", ReceiptStatus.UNDELIVERED, "034", "bind-1"));
  }

  @Test
  void mapsEveryFinalStateOfTheReceiptText() {
    assertThat(SmppReceipts.ofStat("DELIVRD")).isEqualTo(ReceiptStatus.DELIVERED);
    assertThat(SmppReceipts.ofStat("UNDELIV")).isEqualTo(ReceiptStatus.UNDELIVERED);
    assertThat(SmppReceipts.ofStat("REJECTD")).isEqualTo(ReceiptStatus.REJECTED);
    assertThat(SmppReceipts.ofStat("EXPIRED")).isEqualTo(ReceiptStatus.EXPIRED);
    assertThat(SmppReceipts.ofStat("DELETED")).isEqualTo(ReceiptStatus.DELETED);
    assertThat(SmppReceipts.ofStat("UNKNOWN")).isEqualTo(ReceiptStatus.UNKNOWN);
    assertThat(SmppReceipts.ofStat("acceptd")).isEqualTo(ReceiptStatus.SENT);
    assertThat(SmppReceipts.ofStat("BOGUS")).isNull();
  }

  @Test
  void theTlvIdWinsOverTheTextAndTheTlvStateIsUsedWhenTheTextHasNone() {
    DeliverSm deliverSm = deliverSm("a receipt without fields");
    deliverSm.setOptionalParameters(
        new OptionalParameter.Receipted_message_id("4A0001"),
        new OptionalParameter.Message_state((byte) 2));

    assertThat(SmppReceipts.parse("carrier", "bind-1", deliverSm))
        .contains(new Receipt("carrier", "4A0001", ReceiptStatus.DELIVERED, null, "bind-1"));
  }

  @Test
  void aReceiptNamingNoMessageIsUnreadable() {
    assertThat(SmppReceipts.parse("carrier", "bind-1", deliverSm("stat:DELIVRD err:000")))
        .isEmpty();
  }

  private static DeliverSm deliverSm(String text) {
    DeliverSm deliverSm = new DeliverSm();
    deliverSm.setSmscDeliveryReceipt();
    deliverSm.setShortMessage(text.getBytes(StandardCharsets.ISO_8859_1));
    return deliverSm;
  }
}
