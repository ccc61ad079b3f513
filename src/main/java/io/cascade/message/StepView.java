package io.cascade.message;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What became of one route step, derived from its attempts: how far it got and why the cascade left
 * it. A tenant reads the cascade's story here without parsing attempt errors.
 */
@Schema(name = "Step")
public record StepView(
    Channel channel,
    @Schema(
            description =
                "How far the step got: the status of its latest attempt, or delivered/read if any"
                    + " of its attempts got there (a late receipt counts). pending: not tried yet"
                    + " but it may be; skipped: never tried and the message is done",
            enumeration = {
              "pending",
              "skipped",
              "sending",
              "sent",
              "delivered",
              "read",
              "undelivered",
              "expired",
              "deleted",
              "unknown",
              "failed",
              "rejected",
              "interrupted"
            })
        String outcome,
    @Schema(
            description =
                "Why the cascade left this step (or, for the last step, why it ended without"
                    + " what it waits for); null while it is under way or when it succeeded",
            enumeration = {
              "send_error",
              "timeout",
              "circuit_open",
              "rejected",
              "negative_receipt",
              "no_receipt_in_time",
              "not_read_in_time"
            })
        FailoverReason reason,
    @Schema(description = "While the step waits for its receipt: when the next step starts")
        Instant deadline) {

  /** One view per route step, in route order. */
  static List<StepView> of(MessageEntity message, List<AttemptEntity> attempts) {
    List<StepView> steps = new ArrayList<>(message.route.size());
    for (int index = 0; index < message.route.size(); index++) {
      int step = index;
      List<AttemptEntity> ofStep =
          attempts.stream()
              .filter(attempt -> attempt.step == step)
              .sorted(Comparator.comparing(attempt -> attempt.startedAt))
              .toList();
      Instant deadline =
          step == message.currentStep && message.stepDueAt != null ? message.stepDueAt : null;
      steps.add(
          new StepView(
              message.route.get(step).channel(),
              outcome(message, ofStep),
              reason(ofStep),
              deadline));
    }
    return steps;
  }

  private static String outcome(MessageEntity message, List<AttemptEntity> ofStep) {
    if (ofStep.isEmpty()) {
      boolean mayStillRun = !message.status.isFinal() || message.stepDueAt != null;
      return mayStillRun ? "pending" : "skipped";
    }
    // Delivery is what counts, even when its receipt came after the cascade moved on.
    if (ofStep.stream().anyMatch(attempt -> attempt.status == AttemptStatus.READ)) {
      return AttemptStatus.READ.id();
    }
    if (ofStep.stream().anyMatch(attempt -> attempt.status == AttemptStatus.DELIVERED)) {
      return AttemptStatus.DELIVERED.id();
    }
    return latest(ofStep).status.id();
  }

  /**
   * The latest attempt's reason: an earlier one's (a provider that failed before another took the
   * step, or an earlier walk of the route) no longer explains where the step stands.
   */
  private static FailoverReason reason(List<AttemptEntity> ofStep) {
    return ofStep.isEmpty() ? null : latest(ofStep).reason;
  }

  private static AttemptEntity latest(List<AttemptEntity> ofStep) {
    return ofStep.get(ofStep.size() - 1);
  }
}
