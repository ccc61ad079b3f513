package io.cascade.dispatch;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * Readiness follows the broker: not ready while no connection to RabbitMQ can be made. Deliberately
 * not a liveness check; the process keeps accepting into the outbox and reconnects by itself.
 */
@Readiness
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

  @Override
  public Uni<HealthCheckResponse> call() {
    return publisher
        .canReachBroker()
        .map(
            reachable ->
                HealthCheckResponse.named("RabbitMQ broker")
                    .status(reachable)
                    .withData("allConsumersSubscribed", consumers.allConsuming())
                    .build());
  }
}
