package io.cascade.dispatch;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness follows the broker: not ready while no connection to RabbitMQ can be made. Deliberately
 * not a liveness check; the process keeps accepting into the outbox and reconnects by itself.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements AsyncHealthCheck {

  private final DispatchPublisher publisher;

  BrokerHealthCheck(DispatchPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return publisher
        .canReachBroker()
        .map(reachable -> HealthCheckResponse.named("RabbitMQ broker").status(reachable).build());
  }
}
