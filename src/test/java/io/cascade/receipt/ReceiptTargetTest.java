package io.cascade.receipt;

import static io.cascade.channel.ReceiptStatus.DELIVERED;
import static io.cascade.channel.ReceiptStatus.READ;
import static io.cascade.channel.ReceiptStatus.SENT;
import static io.cascade.channel.ReceiptStatus.UNDELIVERED;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import io.cascade.store.ReceiptStore.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which stored part a receipt is for when ids are reused, twinned or issued by other sessions. */
class ReceiptTargetTest {

  private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  private static Candidate part(String id, String session, int secondsAfterT0, ReceiptStatus s) {
    return new Candidate(
        UUID.randomUUID(), UUID.randomUUID(), 0, id, session, T0.plusSeconds(secondsAfterT0), s);
  }

  private static Receipt receipt(String id, String session, ReceiptStatus status) {
    return new Receipt("carrier", id, status, null, session);
  }

  @Test
  void aReusedIdNamesTheMostRecentPartThatStillWaits() {
    Candidate older = part("4A01", "s1", 0, SENT);
    Candidate newer = part("4A01", "s1", 60, SENT);

    assertThat(ReceiptTarget.of(receipt("4A01", "s1", DELIVERED), List.of(older, newer)))
        .contains(newer);
  }

  @Test
  void aReceiptRepeatingWhatASettledPartSaysWaitsForTheNewerPartItOvertook() {
    // The SMSC reused 4A01 and sent the new send's receipt before its submit_sm_resp was stored:
    // the old part is delivered already, so the receipt is not spent on it.
    Candidate settled = part("4A01", "s1", 0, DELIVERED);

    assertThat(ReceiptTarget.of(receipt("4A01", "s1", DELIVERED), List.of(settled))).isEmpty();
    // Once the new part is registered, it is the one.
    Candidate fresh = part("4A01", "s1", 90, SENT);
    assertThat(ReceiptTarget.of(receipt("4A01", "s1", DELIVERED), List.of(settled, fresh)))
        .contains(fresh);
  }

  @Test
  void aReceiptThatMovesASettledPartOnStillNamesIt() {
    Candidate delivered = part("wamid.1", "", 0, DELIVERED);

    assertThat(ReceiptTarget.of(receipt("wamid.1", "", READ), List.of(delivered)))
        .contains(delivered);
    assertThat(ReceiptTarget.of(receipt("wamid.1", "", UNDELIVERED), List.of(delivered))).isEmpty();
  }

  @Test
  void partsOfTheReceiptsOwnSessionWinOverNewerOnesOfOtherSessions() {
    // An SMSC numbering ids per bind: two replicas' binds both issued 1.
    Candidate mine = part("1", "bind-a", 0, SENT);
    Candidate theirs = part("1", "bind-b", 5, SENT);

    assertThat(ReceiptTarget.of(receipt("1", "bind-a", DELIVERED), List.of(mine, theirs)))
        .contains(mine);
    assertThat(ReceiptTarget.of(receipt("1", "bind-b", DELIVERED), List.of(mine, theirs)))
        .contains(theirs);
  }

  @Test
  void aSessionThatIssuedTheIdButHasNothingLeftToChangeDoesNotFallBackToOthers() {
    Candidate mineSettled = part("1", "bind-a", 0, DELIVERED);
    Candidate theirs = part("1", "bind-b", 5, SENT);

    assertThat(ReceiptTarget.of(receipt("1", "bind-a", DELIVERED), List.of(mineSettled, theirs)))
        .isEmpty();
  }

  @Test
  void aReceiptOnANewBindFindsThePartSentOnTheOldOne() {
    Candidate beforeRebind = part("4A01", "bind-old", 0, SENT);

    assertThat(ReceiptTarget.of(receipt("4A01", "bind-new", DELIVERED), List.of(beforeRebind)))
        .contains(beforeRebind);
  }

  @Test
  void theIdAsGivenInAnyCaseWinsOverItsTwins() {
    Candidate hex = part("7b", "s1", 0, SENT); // 0x7b = 123
    Candidate decimal = part("123", "s1", 0, SENT);

    assertThat(ReceiptTarget.of(receipt("123", "s1", DELIVERED), List.of(hex, decimal)))
        .contains(decimal);
    assertThat(ReceiptTarget.of(receipt("7B", "s1", DELIVERED), List.of(hex, decimal)))
        .contains(hex);
  }

  @Test
  void aTwinCountsOnlyWhenExactlyOneStoredIdIsATwin() {
    // "123" read as decimal is 0x7b; read as hex it is 291 in decimal.
    Candidate hexTwin = part("7B", "s1", 0, SENT);
    Candidate sameIdOtherCase = part("7b", "s1", 10, SENT);
    Candidate decimalTwin = part("291", "s1", 0, SENT);

    assertThat(ReceiptTarget.of(receipt("123", "s1", DELIVERED), List.of(hexTwin)))
        .contains(hexTwin);
    // Two spellings of one hex id are one stored id: its newer part.
    assertThat(ReceiptTarget.of(receipt("123", "s1", DELIVERED), List.of(hexTwin, sameIdOtherCase)))
        .contains(sameIdOtherCase);
    // Two different ids that are both twins: which one the SMSC meant would be a guess.
    assertThat(ReceiptTarget.of(receipt("123", "s1", DELIVERED), List.of(hexTwin, decimalTwin)))
        .isEmpty();
  }

  @Test
  void noCandidateNoTarget() {
    assertThat(ReceiptTarget.of(receipt("1", "s1", DELIVERED), List.of())).isEmpty();
  }
}
