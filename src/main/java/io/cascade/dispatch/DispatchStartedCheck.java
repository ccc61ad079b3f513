package io.cascade.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * Startup is done once the schema is migrated (Flyway runs before anything is served) and the
 * dispatch consumers are started. Started, not subscribed: each consumer keeps connecting on its
 * own, and a service whose broker is away still starts and accepts into the outbox.
 */
@Startup
@ApplicationScoped
public class DispatchStartedCheck implements HealthCheck {

  private final QuorumQueueConnector consumers;

  DispatchStartedCheck(@Connector(QuorumQueueConnector.NAME) QuorumQueueConnector consumers) {
    this.consumers = consumers;
  }

  @Override
  public HealthCheckResponse call() {
    int started = consumers.started();
    return HealthCheckResponse.named("Dispatch consumers started")
        .status(started > 0)
        .withData("consumers", started)
        .build();
  }
}
