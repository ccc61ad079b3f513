package io.cascade.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.channel.SendOutcome;
import io.cascade.core.Transition.Metric;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageStatus;
import io.cascade.message.Priority;
import io.cascade.message.RouteStep;
import io.cascade.message.WaitFor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cascade's rules, one transition at a time. Not a {@code @QuarkusTest}: the core has no I/O,
 * so every rule is checked in microseconds here, and end to end in the dispatch tests.
 */
class CascadeCoreTest {

  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final UUID ME = UUID.randomUUID();
  static final UUID OTHER = UUID.randomUUID();
  static final CascadeRules RULES =
      new CascadeRules(
          Duration.ofSeconds(60),
          Duration.ofSeconds(6),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          Duration.ofSeconds(30),
          () -> 0.5);
  static final CascadeCore CORE = new CascadeCore(RULES);

  static RouteStep step(Channel channel, WaitFor waitFor, int timeout) {
    return new RouteStep(channel, "+4915112345678", null, waitFor, timeout);
  }

  static final List<RouteStep> SMS_THEN_EMAIL =
      List.of(step(Channel.SMS, WaitFor.SENT, 30), step(Channel.EMAIL, WaitFor.SENT, 60));
  static final List<RouteStep> SMS_DLR_THEN_WHATSAPP =
      List.of(step(Channel.SMS, WaitFor.DELIVERED, 30), step(Channel.WHATSAPP, WaitFor.READ, 60));

  static Snapshot accepted(List<RouteStep> route) {
    return new Snapshot(
        CORE.accept(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "Your code is 123456",
            route,
            300,
            Priority.NORMAL,
            T0),
        List.of());
  }

  static CascadeCore.Claim claimAt(Instant now) {
    return new CascadeCore.Claim(now, ME, channel -> channel.id() + "-a", false);
  }

  static Snapshot apply(Snapshot before, Transition t) {
    return before.after(t);
  }

  static Snapshot claimed(Snapshot s) {
    return apply(s, CORE.claim(s, claimAt(T0.plusSeconds(1))));
  }

  static Transition answer(Snapshot s, SendOutcome outcome, boolean otherProviderLeft) {
    AttemptState sending =
        s.attempts().stream().filter(a -> a.status() == AttemptStatus.SENDING).findFirst().get();
    return CORE.outcome(
        s,
        new CascadeCore.Outcome(
            T0.plusSeconds(2), sending.id(), outcome, Set.of(), otherProviderLeft));
  }

  @Test
  void claimWritesASendingAttemptOverTheChosenProviderAndClaimsTheStep() {
    Transition t = CORE.claim(accepted(SMS_THEN_EMAIL), claimAt(T0.plusSeconds(1)));

    assertThat(t.message().status()).isEqualTo(MessageStatus.SENDING);
    assertThat(t.message().claimedBy()).isEqualTo(ME);
    assertThat(t.message().claimedUntil()).isEqualTo(T0.plusSeconds(61));
    assertThat(t.message().publishDueAt()).isNull();
    assertThat(t.send().provider()).isEqualTo("sms-a");
    assertThat(t.send().status()).isEqualTo(AttemptStatus.SENDING);
    assertThat(t.attempts()).containsExactly(t.send());
    assertThat(t.events()).isEmpty();
  }

  @Test
  void aDuplicateDeliveryLeavesTheStepToItsLiveOwnerAndLooksAgainLater() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    Transition t = CORE.claim(s, claimAt(T0.plusSeconds(2)));

    assertThat(t.send()).isNull();
    assertThat(t.attempts()).isEmpty();
    assertThat(t.message().status()).isEqualTo(MessageStatus.SENDING);
    // The owner's silence limit (6 s) ends before its claim (61 s).
    assertThat(t.message().publishDueAt()).isEqualTo(T0.plusSeconds(8));
    assertThat(t.message().updatedAt()).isEqualTo(s.message().updatedAt());
  }

  @Test
  void aDeadOwnersAttemptIsInterruptedAndTheStepClaimedAgain() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    CascadeCore.Claim other = new CascadeCore.Claim(T0.plusSeconds(3), OTHER, c -> "sms-b", false);
    // ME never beat: ownerSeenAt is null, so its claim is dead for OTHER.
    Transition t = CORE.claim(s, other);

    assertThat(t.attempts()).hasSize(2);
    assertThat(t.attempts().get(0).status()).isEqualTo(AttemptStatus.INTERRUPTED);
    assertThat(t.send().provider()).isEqualTo("sms-b");
    assertThat(t.message().claimedBy()).isEqualTo(OTHER);
    assertThat(t.metrics()).contains(new Metric.AttemptEnded(Channel.SMS, "sms-a", "interrupted"));
  }

  @Test
  void aDisabledTenantsMessageIsHeldWithoutAnAttemptOrAPublication() {
    Transition t =
        CORE.claim(
            accepted(SMS_THEN_EMAIL),
            new CascadeCore.Claim(T0.plusSeconds(1), ME, c -> "sms-a", true));

    assertThat(t.send()).isNull();
    assertThat(t.attempts()).isEmpty();
    assertThat(t.events()).isEmpty();
    assertThat(t.message().status()).isEqualTo(MessageStatus.ACCEPTED);
    assertThat(t.message().publishDueAt()).as("published again when enabled").isNull();
    assertThat(t.message().claimedBy()).isNull();
  }

  @Test
  void aDeadOwnersSendHeldForADisabledTenantIsInterruptedAndWaits() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    Transition t =
        CORE.claim(s, new CascadeCore.Claim(T0.plusSeconds(3), OTHER, c -> "sms-b", true));

    assertThat(t.send()).isNull();
    assertThat(t.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.status()).isEqualTo(AttemptStatus.INTERRUPTED));
    assertThat(t.message().status()).isEqualTo(MessageStatus.WAITING);
    assertThat(t.message().claimedUntil()).isNull();
    assertThat(t.message().publishDueAt()).isNull();
  }

  @Test
  void aHeldMessagePastItsValidityExpires() {
    Transition t =
        CORE.claim(
            accepted(SMS_THEN_EMAIL),
            new CascadeCore.Claim(T0.plusSeconds(301), ME, c -> "sms-a", true));

    assertThat(t.message().status()).isEqualTo(MessageStatus.EXPIRED);
  }

  @Test
  void aClaimPastTheValidityExpiresTheMessage() {
    Snapshot s = accepted(SMS_THEN_EMAIL);
    Transition t = CORE.claim(s, claimAt(T0.plusSeconds(300)));

    assertThat(t.message().status()).isEqualTo(MessageStatus.EXPIRED);
    assertThat(t.send()).isNull();
    assertThat(t.events()).extracting(Transition.Event::type).containsExactly(EventType.EXPIRED);
  }

  @Test
  void aFinalMessageIsNotClaimed() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    s = apply(s, answer(s, new SendOutcome.Sent(List.of("p1")), false));
    assertThat(CORE.claim(s, claimAt(T0.plusSeconds(5)))).isEqualTo(Transition.none());
  }

  static Stream<Arguments> outcomes() {
    SendOutcome sent = new SendOutcome.Sent(List.of("p1", "p2"));
    SendOutcome gaveUp = new SendOutcome.GaveUp(FailoverReason.TIMEOUT, "no answer in 5s");
    SendOutcome rejected = new SendOutcome.Rejected("invalid number");
    return Stream.of(
        // route, outcome, other provider left -> status, step, event, dispatch again
        Arguments.of(SMS_THEN_EMAIL, sent, false, MessageStatus.SENT, 0, EventType.SENT, null),
        Arguments.of(
            SMS_THEN_EMAIL,
            new SendOutcome.Delivered("d1"),
            false,
            MessageStatus.DELIVERED,
            0,
            EventType.DELIVERED,
            null),
        Arguments.of(
            SMS_DLR_THEN_WHATSAPP, sent, false, MessageStatus.SENT, 0, EventType.SENT, null),
        Arguments.of(SMS_THEN_EMAIL, gaveUp, true, MessageStatus.SENDING, 0, null, Set.of("sms-a")),
        Arguments.of(
            SMS_THEN_EMAIL, gaveUp, false, MessageStatus.SENDING, 1, EventType.FAILOVER, Set.of()),
        Arguments.of(
            SMS_THEN_EMAIL, rejected, true, MessageStatus.SENDING, 1, EventType.FAILOVER, Set.of()),
        Arguments.of(
            List.of(step(Channel.SMS, WaitFor.SENT, 30)),
            gaveUp,
            false,
            MessageStatus.WAITING,
            0,
            null,
            null),
        Arguments.of(
            List.of(step(Channel.SMS, WaitFor.SENT, 30)),
            rejected,
            false,
            MessageStatus.FAILED,
            0,
            EventType.FAILED,
            null));
  }

  @ParameterizedTest
  @MethodSource("outcomes")
  void anOutcomeMovesTheMessageAsTheRulesSay(
      List<RouteStep> route,
      SendOutcome outcome,
      boolean otherProviderLeft,
      MessageStatus status,
      int step,
      EventType event,
      Set<String> dispatchAgain) {
    Snapshot s = claimed(accepted(route));
    Transition t = answer(s, outcome, otherProviderLeft);

    assertThat(t.message().status()).isEqualTo(status);
    assertThat(t.message().currentStep()).isEqualTo(step);
    assertThat(t.message().claimedUntil()).isNull();
    assertThat(t.events())
        .extracting(Transition.Event::type)
        .containsExactlyElementsOf(event == null ? List.of() : List.of(event));
    assertThat(t.dispatchAgain()).isEqualTo(dispatchAgain);
    assertThat(t.attempts()).singleElement().satisfies(a -> assertThat(a.endedAt()).isNotNull());
  }

  @Test
  void aSentStepThatWaitsForItsReceiptGetsADeadlineCutToTheValidityAndRegistersItsIds() {
    List<RouteStep> route =
        List.of(step(Channel.SMS, WaitFor.DELIVERED, 3600), step(Channel.EMAIL, WaitFor.SENT, 60));
    Snapshot s = claimed(accepted(route));
    Transition t = answer(s, new SendOutcome.Sent(List.of("p1", "p2")), false);

    assertThat(t.message().stepDueAt()).isEqualTo(s.message().validUntil());
    assertThat(t.message().stepWaitFor()).isEqualTo(WaitFor.DELIVERED);
    assertThat(t.message().stepAttemptId()).isEqualTo(t.attempts().get(0).id());
    assertThat(t.providerIds())
        .extracting(Transition.ProviderId::providerMessageId)
        .containsExactly("p1", "p2");
    assertThat(t.attempts().get(0).parts()).isEqualTo(1);
  }

  @Test
  void aWaitingMessageWalksAgainAfterTheBackoffAndSkipsRejectedSteps() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    s = apply(s, answer(s, new SendOutcome.Rejected("invalid number"), false)); // sms rejected
    s = claimed(s);
    Transition t = answer(s, new SendOutcome.GaveUp(FailoverReason.SEND_ERROR, "503"), false);

    assertThat(t.message().status()).isEqualTo(MessageStatus.WAITING);
    assertThat(t.message().currentStep()).isEqualTo(1); // the email step, not the rejected sms
    assertThat(t.message().routePass()).isEqualTo(1);
    assertThat(t.message().publishDueAt()).isEqualTo(T0.plusSeconds(4)); // 2 s, jitter 1.0x
    assertThat(t.metrics()).contains(new Metric.RouteWait("send_error"));
  }

  @Test
  void anOutcomeForAnAttemptTakenOverChangesNothing() {
    Snapshot s = claimed(accepted(SMS_THEN_EMAIL));
    UUID first = s.attempts().get(0).id();
    s =
        apply(
            s, CORE.claim(s, new CascadeCore.Claim(T0.plusSeconds(3), OTHER, c -> "sms-b", false)));
    Transition t =
        CORE.outcome(
            s,
            new CascadeCore.Outcome(
                T0.plusSeconds(4), first, new SendOutcome.Sent(List.of()), Set.of(), false));
    assertThat(t).isEqualTo(Transition.none());
  }

  Snapshot awaitingDelivery() {
    Snapshot s = claimed(accepted(SMS_DLR_THEN_WHATSAPP));
    return apply(s, answer(s, new SendOutcome.Sent(List.of("p1")), false));
  }

  @Test
  void aPositiveReceiptForTheAwaitedAttemptDeliversTheMessage() {
    Snapshot s = awaitingDelivery();
    UUID attempt = s.message().stepAttemptId();
    Transition t =
        CORE.receipt(
            s, new CascadeCore.Receipt(T0.plusSeconds(5), attempt, AttemptStatus.DELIVERED, null));

    assertThat(t.message().status()).isEqualTo(MessageStatus.DELIVERED);
    assertThat(t.message().stepDueAt()).isNull();
    assertThat(t.attempts().get(0).deliveredAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(t.events()).extracting(Transition.Event::type).containsExactly(EventType.DELIVERED);
  }

  @Test
  void aNegativeReceiptForTheAwaitedAttemptStartsTheNextStep() {
    Snapshot s = awaitingDelivery();
    UUID attempt = s.message().stepAttemptId();
    Transition t =
        CORE.receipt(
            s,
            new CascadeCore.Receipt(T0.plusSeconds(5), attempt, AttemptStatus.UNDELIVERED, "005"));

    assertThat(t.message().status()).isEqualTo(MessageStatus.SENDING);
    assertThat(t.message().currentStep()).isEqualTo(1);
    assertThat(t.message().publishDueAt()).isEqualTo(T0.plusSeconds(15));
    assertThat(t.publish()).isTrue();
    assertThat(t.attempts().get(0).reason()).isEqualTo(FailoverReason.NEGATIVE_RECEIPT);
    assertThat(t.attempts().get(0).error())
        .isEqualTo("negative_receipt: undelivered, error code 005");
    assertThat(t.events()).extracting(Transition.Event::type).containsExactly(EventType.FAILOVER);
  }

  @Test
  void theDeadlineStartsTheNextStepAndNotesWhyOnTheAwaitedAttempt() {
    Snapshot s = awaitingDelivery();
    assertThat(CORE.deadline(s, T0.plusSeconds(31))).isEqualTo(Transition.none());

    Transition t = CORE.deadline(s, T0.plusSeconds(32));
    assertThat(t.message().currentStep()).isEqualTo(1);
    assertThat(t.attempts().get(0).error())
        .isEqualTo("no_receipt_in_time: no receipt by the step's deadline");
    assertThat(t.metrics()).contains(new Metric.Failover("sms", "whatsapp", "no_receipt_in_time"));
  }

  @Test
  void aDeadlineWithNoStepLeftOnlyClearsItAndTheMessageStaysSent() {
    Snapshot s = claimed(accepted(List.of(step(Channel.SMS, WaitFor.DELIVERED, 30))));
    s = apply(s, answer(s, new SendOutcome.Sent(List.of("p1")), false));
    Transition t = CORE.deadline(s, T0.plusSeconds(40));

    assertThat(t.message().status()).isEqualTo(MessageStatus.SENT);
    assertThat(t.message().stepDueAt()).isNull();
    assertThat(t.events()).isEmpty();
    assertThat(t.publish()).isFalse();
  }

  @Test
  void aLateReceiptOfAStepTheCascadeLeftIsRecordedAndCountedAsADoubleDelivery() {
    Snapshot s = awaitingDelivery();
    UUID sms = s.message().stepAttemptId();
    s = apply(s, CORE.deadline(s, T0.plusSeconds(32)));
    s = apply(s, CORE.claim(s, claimAt(T0.plusSeconds(33))));
    s = apply(s, answer(s, new SendOutcome.Delivered("w1"), false)); // waits for read
    UUID whatsapp = s.message().stepAttemptId();
    s =
        apply(
            s,
            CORE.receipt(
                s,
                new CascadeCore.Receipt(T0.plusSeconds(34), whatsapp, AttemptStatus.READ, null)));
    assertThat(s.message().status()).isEqualTo(MessageStatus.DELIVERED);

    Transition late =
        CORE.receipt(
            s, new CascadeCore.Receipt(T0.plusSeconds(35), sms, AttemptStatus.DELIVERED, null));
    assertThat(late.message()).isNull();
    assertThat(late.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.status()).isEqualTo(AttemptStatus.DELIVERED));
    assertThat(late.metrics()).containsExactly(new Metric.DoubleDelivery("whatsapp", "sms"));
  }

  @Test
  void theExpirySweepEndsOnlyMessagesThatWaitForADispatcher() {
    Snapshot s = accepted(SMS_THEN_EMAIL);
    assertThat(CORE.expire(s, T0.plusSeconds(299))).isEqualTo(Transition.none());
    assertThat(CORE.expire(s, T0.plusSeconds(300)).message().status())
        .isEqualTo(MessageStatus.EXPIRED);
    assertThat(CORE.expire(claimed(s), T0.plusSeconds(300))).isEqualTo(Transition.none());
  }
}
