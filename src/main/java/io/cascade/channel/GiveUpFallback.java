package io.cascade.channel;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.ExecutionContext;
import org.eclipse.microprofile.faulttolerance.FallbackHandler;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Turns the failure a sender gave up on into an outcome that moves the message to its next step.
 */
public class GiveUpFallback implements FallbackHandler<Uni<SendOutcome>> {

  @Override
  public Uni<SendOutcome> handle(ExecutionContext context) {
    return Uni.createFrom().item(outcomeOf(context.getFailure()));
  }

  static SendOutcome.GaveUp outcomeOf(Throwable failure) {
    if (failure instanceof CircuitBreakerOpenException) {
      return new SendOutcome.GaveUp(FailoverReason.CIRCUIT_OPEN, "circuit breaker is open");
    }
    if (failure instanceof TimeoutException) {
      return new SendOutcome.GaveUp(FailoverReason.TIMEOUT, "provider did not answer in time");
    }
    String detail = failure.getMessage() != null ? failure.getMessage() : failure.toString();
    return new SendOutcome.GaveUp(FailoverReason.SEND_ERROR, detail);
  }
}
