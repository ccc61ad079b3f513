package io.cascade.receipt;

import static io.cascade.channel.ReceiptStatus.DELIVERED;
import static io.cascade.channel.ReceiptStatus.EXPIRED;
import static io.cascade.channel.ReceiptStatus.READ;
import static io.cascade.channel.ReceiptStatus.SENT;
import static io.cascade.channel.ReceiptStatus.UNDELIVERED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Receipt statuses only move forward, and the first terminal one wins. */
class ReceiptStatusTest {

  @Test
  void positiveStatusesOnlyMoveForward() {
    assertThat(SENT.then(DELIVERED)).isEqualTo(DELIVERED);
    assertThat(DELIVERED.then(READ)).isEqualTo(READ);
    assertThat(READ.then(DELIVERED)).isEqualTo(READ);
    assertThat(DELIVERED.then(SENT)).isEqualTo(DELIVERED);
  }

  @Test
  void aNegativeStatusIsTakenOnlyWhileNothingBetterIsKnownAndThenSticks() {
    assertThat(SENT.then(UNDELIVERED)).isEqualTo(UNDELIVERED);
    assertThat(DELIVERED.then(UNDELIVERED)).isEqualTo(DELIVERED);
    assertThat(UNDELIVERED.then(DELIVERED)).isEqualTo(UNDELIVERED);
    assertThat(UNDELIVERED.then(EXPIRED)).isEqualTo(UNDELIVERED);
  }

  @Test
  void idsAreLookedUpInHexAndDecimalForms() {
    assertThat(ProviderMessageIds.forms("4A0001")).contains("4A0001", "4a0001", "4849665");
    assertThat(ProviderMessageIds.forms("4849665")).contains("4849665", "4a0001", "4A0001");
    assertThat(ProviderMessageIds.forms("SMabc")).containsExactly("SMabc");
  }
}
