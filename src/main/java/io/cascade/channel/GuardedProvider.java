package io.cascade.channel;

import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.observability.CascadeMetrics;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * A provider of one channel behind its own timeout, retries and circuit breaker (named {@code
 * <channel>/<provider>}), so that one failing carrier opens its own circuit and leaves the other
 * providers of the channel alone. Whatever happens, {@link #send} completes with an outcome:
 * failures the guard gave up on become {@link SendOutcome.GaveUp}.
 */
public final class GuardedProvider {

  private final Channel channel;
  private final ChannelProvider provider;
  private final Standby standby;
  private final int weight;
  private final String breakerName;
  private final TypedGuard<Uni<SendOutcome>> guard;

  GuardedProvider(
      Channel channel,
      ChannelProvider provider,
      ProviderSettings settings,
      CascadeMetrics metrics) {
    this.channel = channel;
    this.provider = provider;
    this.standby = settings.standby();
    this.weight = Math.max(1, settings.weight());
    this.breakerName = channel.id() + "/" + provider.name();
    long retryDelay = settings.retryDelay().toMillis();
    this.guard =
        TypedGuard.create(new TypeLiteral<Uni<SendOutcome>>() {})
            .withDescription(breakerName)
            .withTimeout()
            .duration(settings.timeout().toMillis(), ChronoUnit.MILLIS)
            .done()
            .withRetry()
            .maxRetries(settings.retries())
            .delay(retryDelay, ChronoUnit.MILLIS)
            .jitter(retryDelay / 2, ChronoUnit.MILLIS)
            .abortOn(CircuitBreakerOpenException.class)
            .onRetry(() -> metrics.providerRetry(channel.id(), provider.name()))
            .withExponentialBackoff()
            .factor(2)
            .maxDelay(Math.max(retryDelay, 2000), ChronoUnit.MILLIS)
            .done()
            .done()
            .withCircuitBreaker()
            .name(breakerName)
            .requestVolumeThreshold(settings.circuitBreaker().requestVolume())
            .failureRatio(settings.circuitBreaker().failureRatio())
            .delay(settings.circuitBreaker().delay().toMillis(), ChronoUnit.MILLIS)
            .successThreshold(settings.circuitBreaker().successThreshold())
            .done()
            .withThreadOffload(false)
            .build();
  }

  public String name() {
    return provider.name();
  }

  public Channel channel() {
    return channel;
  }

  Standby standby() {
    return standby;
  }

  int weight() {
    return weight;
  }

  ChannelProvider provider() {
    return provider;
  }

  /**
   * How the provider stands now, for operators.
   *
   * @param circuit closed, open or half_open
   * @param down the provider says it cannot send (an SMPP provider without a bound session)
   */
  public record Health(
      String channel, String provider, String standby, String circuit, boolean down) {}

  public Health health() {
    return new Health(
        channel.id(),
        provider.name(),
        standby.id(),
        CircuitBreakerMaintenance.get()
            .currentState(breakerName)
            .name()
            .toLowerCase(java.util.Locale.ROOT),
        provider.isDown());
  }

  /** Whether it should be tried only after the others: its circuit is open or it is down. */
  boolean unavailable() {
    return provider.isDown()
        || CircuitBreakerMaintenance.get().currentState(breakerName) == CircuitBreakerState.OPEN;
  }

  /** Sends through the guard; never fails, see the class description. */
  public Uni<SendOutcome> send(Outbound message) {
    // Deferred, so that every retry calls the provider afresh.
    return guard
        .get(() -> Uni.createFrom().deferred(() -> provider.send(message)))
        .onFailure()
        .recoverWithItem(GuardedProvider::gaveUp);
  }

  static SendOutcome.GaveUp gaveUp(Throwable failure) {
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
