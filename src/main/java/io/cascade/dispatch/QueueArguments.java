package io.cascade.dispatch;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Map;

/** Queue arguments the connector has no attribute for, named in application.properties. */
@ApplicationScoped
public class QueueArguments {

  @Produces
  @Identifier("cascade-dispatch-queue-arguments")
  Map<String, Object> dispatchQueueArguments(BrokerConfig config) {
    return Map.of("x-quorum-initial-group-size", config.quorumInitialGroupSize());
  }
}
