package io.cascade.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.message.Priority;
import io.cascade.store.PublicationStore.Publication;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FairShareTest {

  private static final UUID HEAVY = UUID.randomUUID();
  private static final UUID LIGHT = UUID.randomUUID();
  private static final long NOW = 1_000_000;

  private final FairShare share = new FairShare(10, 5, 100);

  @ParameterizedTest(name = "has waiting={0} depth={1} rate={2} -> waits={3}")
  @CsvSource({
    "false, 0, 1000, false",
    "false, 9, 1000, false",
    "false, 10, 6, true",
    "false, 10, 5, false",
    "true, 0, 1, true",
    "true, 10, 1, true"
  })
  void waitsBehindItsOwnOrWhenHeavyAndTheQueueIsDeep(
      boolean hasWaiting, long depth, int rate, boolean waits) {
    assertThat(FairShare.waits(hasWaiting, depth, 10, rate, 5)).isEqualTo(waits);
  }

  @Test
  void aShallowQueueTakesEveryoneAtOnce() {
    for (int i = 0; i < 8; i++) {
      assertThat(share.publishNow(HEAVY, bulk(), NOW)).isTrue();
    }
    assertThat(share.waiting(Priority.BULK)).isZero();
  }

  @Test
  void aDeepQueueHoldsBackTheHeavyTenantOnlyAndInItsClassOnly() {
    share.queueDepth(Priority.BULK, 10);
    for (int i = 0; i < 5; i++) {
      share.publishNow(HEAVY, bulk(), NOW);
    }

    assertThat(share.publishNow(HEAVY, bulk(), NOW)).as("sixth in a second").isFalse();
    assertThat(share.publishNow(LIGHT, bulk(), NOW)).as("a light tenant").isTrue();
    assertThat(share.publishNow(HEAVY, normal(), NOW)).as("another class").isTrue();
    assertThat(share.waiting(Priority.BULK)).isEqualTo(1);
  }

  @Test
  void onceItsMessagesWaitATenantsNextOnesQueueBehindThemEvenWhenTheQueueDrained() {
    share.queueDepth(Priority.BULK, 10);
    for (int i = 0; i < 6; i++) {
      share.publishNow(HEAVY, bulk(), NOW);
    }
    share.queueDepth(Priority.BULK, 0);

    assertThat(share.publishNow(HEAVY, bulk(), NOW + 5_000)).isFalse();
    assertThat(share.waiting(Priority.BULK)).isEqualTo(2);
  }

  @Test
  void waitingMessagesAreTakenRoundRobinAsTheQueueHasRoom() {
    UUID other = UUID.randomUUID();
    share.queueDepth(Priority.BULK, 10);
    List<Publication> heavy = List.of(bulk(), bulk(), bulk(), bulk(), bulk(), bulk(), bulk());
    List<Publication> second = List.of(bulk(), bulk(), bulk(), bulk(), bulk(), bulk(), bulk());
    heavy.forEach(p -> share.publishNow(HEAVY, p, NOW));
    second.forEach(p -> share.publishNow(other, p, NOW));
    assertThat(share.waiting(Priority.BULK)).isEqualTo(4); // 2 of each over the rate

    assertThat(share.take(Priority.BULK, 100)).as("no room below the depth limit").isEmpty();

    share.queueDepth(Priority.BULK, 7);
    List<Publication> taken = share.take(Priority.BULK, 100);
    assertThat(taken).containsExactly(heavy.get(5), second.get(5), heavy.get(6));
    assertThat(share.take(Priority.BULK, 100)).as("the room is used up").isEmpty();

    share.queueDepth(Priority.BULK, 0);
    assertThat(share.take(Priority.BULK, 100)).containsExactly(second.get(6));
    assertThat(share.waiting(Priority.BULK)).isZero();
    assertThat(share.publishNow(HEAVY, bulk(), NOW + 5_000)).as("lanes empty again").isTrue();
  }

  @Test
  void beyondItsCapacityAMessageIsLeftToTheRelay() {
    FairShare small = new FairShare(10, 0, 2);
    small.queueDepth(Priority.BULK, 10);

    assertThat(small.publishNow(HEAVY, bulk(), NOW)).isFalse();
    assertThat(small.publishNow(HEAVY, bulk(), NOW)).isFalse();
    assertThat(small.publishNow(HEAVY, bulk(), NOW)).isFalse();
    assertThat(small.waiting(Priority.BULK)).isEqualTo(2);
  }

  @Test
  void waitingMessagesKeepTheirRenewedLeaseAndLeaveWhenARelayHasThem() {
    share.queueDepth(Priority.BULK, 10);
    for (int i = 0; i < 5; i++) {
      share.publishNow(HEAVY, bulk(), NOW);
    }
    Publication soon = new Publication(UUID.randomUUID(), Instant.ofEpochSecond(10), BULK);
    Publication claimedByARelay =
        new Publication(UUID.randomUUID(), Instant.ofEpochSecond(11), BULK);
    Publication later = new Publication(UUID.randomUUID(), Instant.ofEpochSecond(30), BULK);
    List.of(soon, claimedByARelay, later).forEach(p -> share.publishNow(HEAVY, p, NOW));

    List<Publication> expiring = share.expiring(Instant.ofEpochSecond(20));
    assertThat(expiring).containsExactly(soon, claimedByARelay);

    Publication renewedSoon = new Publication(soon.messageId(), Instant.ofEpochSecond(40), BULK);
    share.renewed(expiring, List.of(renewedSoon));
    assertThat(share.waiting(Priority.BULK)).isEqualTo(2);
    assertThat(share.expiring(Instant.ofEpochSecond(20))).isEmpty();
    share.queueDepth(Priority.BULK, 0);
    assertThat(share.take(Priority.BULK, 100))
        .as("in their order, the renewed one with its new lease")
        .containsExactly(renewedSoon, later);
  }

  @Test
  void aRenewalAnsweredAfterTheMessageWasTakenPutsNothingBack() {
    share.queueDepth(Priority.BULK, 10);
    for (int i = 0; i < 6; i++) {
      share.publishNow(HEAVY, bulk(), NOW);
    }
    List<Publication> expiring = share.expiring(Instant.ofEpochSecond(20));
    share.queueDepth(Priority.BULK, 0);
    assertThat(share.take(Priority.BULK, 100)).hasSize(1);

    share.renewed(expiring, expiring);
    assertThat(share.waiting(Priority.BULK)).isZero();
    assertThat(share.take(Priority.BULK, 100)).isEmpty();
  }

  @Test
  void aTenantsRateIsItsLastSecondsAndIsForgottenWhenIdle() {
    share.queueDepth(Priority.BULK, 10);
    for (int i = 0; i < 5; i++) {
      share.publishNow(HEAVY, bulk(), NOW);
    }
    // Two seconds later the burst no longer counts.
    share.forgetIdle(NOW + 2_000);
    assertThat(share.publishNow(HEAVY, bulk(), NOW + 2_000)).isTrue();
  }

  private static final Priority BULK = Priority.BULK;

  private static Publication bulk() {
    return new Publication(UUID.randomUUID(), Instant.EPOCH, BULK);
  }

  private static Publication normal() {
    return new Publication(UUID.randomUUID(), Instant.EPOCH, Priority.NORMAL);
  }
}
