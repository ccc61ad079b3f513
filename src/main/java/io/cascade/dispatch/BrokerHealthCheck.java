package io.cascade.dispatch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The broker's state, for operators and alerts: a wellness check ({@code /q/health/well}, part of
 * {@code /q/health}) and gauges. Deliberately neither readiness nor liveness: while RabbitMQ is
 * away the service keeps accepting into the outbox and reconnects by itself, so a load balancer
 * must keep sending it traffic and nothing should restart it.
 */
@Wellness
@ApplicationScoped
public class BrokerHealthCheck implements AsyncHealthCheck {

  private final DispatchPublisher publisher;
  private final QuorumQueueConnector consumers;

  BrokerHealthCheck(
      DispatchPublisher publisher,
      @Connector(QuorumQueueConnector.NAME) QuorumQueueConnector consumers) {
    this.publisher = publisher;
    this.consumers = consumers;
  }

  void registerGauges(@Observes StartupEvent start, MeterRegistry registry) {
    Gauge.builder("cascade.broker.publisher.connected", publisher, p -> p.isConnected() ? 1 : 0)
        .description("1 while the outbox's publisher holds an open channel to RabbitMQ")
        .register(registry);
    Gauge.builder("cascade.broker.consumers", consumers, QuorumQueueConnector::started)
        .description("Dispatch consumers started")
        .register(registry);
    Gauge.builder("cascade.broker.consumers.subscribed", consumers, QuorumQueueConnector::consuming)
        .description("Dispatch consumers subscribed to their queue right now")
        .register(registry);
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return publisher
        .canReachBroker()
        .map(
            reachable ->
                HealthCheckResponse.named("RabbitMQ broker")
                    .status(reachable)
                    .withData("consumers", consumers.started())
                    .withData("consumersSubscribed", consumers.consuming())
                    .build());
  }
}
