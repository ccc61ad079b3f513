package io.cascade.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** How the per-step outcome and reason are read from a message's attempts. */
class StepViewTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private final List<AttemptEntity> attempts = new ArrayList<>();

  @Test
  void aStepTakenByTheSecondProviderShowsNoReason() {
    MessageEntity message = message(MessageStatus.DELIVERED, 0);
    attempt(0, AttemptStatus.FAILED, FailoverReason.CIRCUIT_OPEN);
    attempt(0, AttemptStatus.DELIVERED, null);

    List<StepView> steps = StepView.of(message, attempts);

    assertThat(steps).extracting(StepView::outcome).containsExactly("delivered", "skipped");
    assertThat(steps).extracting(StepView::reason).containsOnlyNulls();
  }

  @Test
  void aNewWalkOfTheRouteShowsTheStepUnderWayAgain() {
    MessageEntity message = message(MessageStatus.SENDING, 0);
    attempt(0, AttemptStatus.FAILED, FailoverReason.SEND_ERROR);
    attempt(1, AttemptStatus.FAILED, FailoverReason.TIMEOUT);
    attempt(0, AttemptStatus.SENDING, null);

    List<StepView> steps = StepView.of(message, attempts);

    assertThat(steps).extracting(StepView::outcome).containsExactly("sending", "failed");
    assertThat(steps).extracting(StepView::reason).containsExactly(null, FailoverReason.TIMEOUT);
  }

  @Test
  void aStepWaitingForItsReceiptShowsItsDeadlineAndTheNextStepIsPending() {
    MessageEntity message = message(MessageStatus.SENT, 0);
    message.stepDueAt = T0.plusSeconds(30);
    attempt(0, AttemptStatus.SENT, null);

    List<StepView> steps = StepView.of(message, attempts);

    assertThat(steps).extracting(StepView::outcome).containsExactly("sent", "pending");
    assertThat(steps).extracting(StepView::deadline).containsExactly(T0.plusSeconds(30), null);
  }

  @Test
  void aLateDeliveryCountsButKeepsTheReasonTheCascadeMovedOn() {
    MessageEntity message = message(MessageStatus.DELIVERED, 1);
    attempt(0, AttemptStatus.DELIVERED, FailoverReason.NO_RECEIPT_IN_TIME);
    attempt(1, AttemptStatus.DELIVERED, null);

    List<StepView> steps = StepView.of(message, attempts);

    assertThat(steps).extracting(StepView::outcome).containsExactly("delivered", "delivered");
    assertThat(steps)
        .extracting(StepView::reason)
        .containsExactly(FailoverReason.NO_RECEIPT_IN_TIME, null);
  }

  @Test
  void aReadAttemptBeatsALaterFailedOne() {
    MessageEntity message = message(MessageStatus.DELIVERED, 0);
    attempt(0, AttemptStatus.READ, null);
    attempt(0, AttemptStatus.INTERRUPTED, null);

    assertThat(StepView.of(message, attempts).get(0).outcome()).isEqualTo("read");
  }

  private static MessageEntity message(MessageStatus status, int currentStep) {
    MessageEntity message = new MessageEntity();
    message.status = status;
    message.currentStep = currentStep;
    message.route =
        List.of(
            new RouteStep(Channel.SMS, "+4915112345678", null, null, null),
            new RouteStep(Channel.WHATSAPP, "+4915112345678", null, null, null));
    return message;
  }

  private void attempt(int step, AttemptStatus status, FailoverReason reason) {
    AttemptEntity attempt = new AttemptEntity();
    attempt.id = UUID.randomUUID();
    attempt.step = step;
    attempt.status = status;
    attempt.reason = reason;
    attempt.startedAt = T0.plusSeconds(attempts.size());
    attempts.add(attempt);
  }
}
