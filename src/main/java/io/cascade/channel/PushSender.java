package io.cascade.channel;

import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Sends push notification steps; the annotation values are defaults, see README.md (Configuration).
 */
@ApplicationScoped
public class PushSender extends ChannelSender {

  @Override
  public Channel channel() {
    return Channel.PUSH;
  }

  @Override
  @AsynchronousNonBlocking
  @Timeout(3000)
  @Retry(maxRetries = 2, delay = 200, jitter = 100, abortOn = CircuitBreakerOpenException.class)
  @ExponentialBackoff(factor = 2, maxDelay = 2000)
  @CircuitBreaker(
      requestVolumeThreshold = 20,
      failureRatio = 0.5,
      delay = 10_000,
      successThreshold = 2)
  @CircuitBreakerName("push")
  @Fallback(GiveUpFallback.class)
  public Uni<SendOutcome> send(Outbound message) {
    return sendThroughProvider(message);
  }
}
