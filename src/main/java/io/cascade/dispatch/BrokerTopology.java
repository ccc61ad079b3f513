package io.cascade.dispatch;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.cascade.message.Priority;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Declares the exchanges and quorum queues (docs/topology.md). Declared here, by the publisher on
 * every connection it opens, and not by the consumers: a consumer that re-declared the topology
 * while a new quorum leader was being elected failed and did not come back. Declaring is
 * idempotent, so every replica and every reconnection may do it.
 */
@ApplicationScoped
public class BrokerTopology {

  private static final Logger LOG = Logger.getLogger(BrokerTopology.class);

  private final BrokerConfig config;

  BrokerTopology(BrokerConfig config) {
    this.config = config;
  }

  /** Declares everything on {@code channel}; fails if the broker refuses any of it. */
  void declare(Channel channel) throws IOException {
    channel.exchangeDeclare(config.exchange(), BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(config.deadLetterExchange(), BuiltinExchangeType.DIRECT, true);
    channel.queueDeclare(
        config.deadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
    // One queue per priority class: a backlog of bulk messages never sits in front of an OTP.
    for (Priority priority : Priority.values()) {
      String queue = config.queueOf(priority);
      channel.queueDeclare(
          queue,
          true,
          false,
          false,
          Map.of(
              "x-queue-type", "quorum",
              "x-quorum-initial-group-size", config.quorumInitialGroupSize(),
              "x-delivery-limit", config.deliveryLimit(),
              "x-dead-letter-exchange", config.deadLetterExchange(),
              "x-dead-letter-routing-key", queue));
      channel.queueBind(queue, config.exchange(), config.routingKeyOf(priority));
      channel.queueBind(config.deadLetterQueue(), config.deadLetterExchange(), queue);
    }
  }

  /**
   * Declares the topology before the messaging connectors start (they run at priority 1000), so
   * consumers find their queue. A broker that is down now gets it on the publisher's first
   * connection.
   */
  void declareAtStartup(
      @Observes @jakarta.annotation.Priority(100) StartupEvent startup,
      DispatchPublisher publisher) {
    Boolean reachable =
        publisher
            .canReachBroker()
            .await()
            .atMost(config.connectionTimeout().plus(Duration.ofSeconds(1)));
    if (!Boolean.TRUE.equals(reachable)) {
      LOG.warn("no broker reachable at start-up; the topology is declared on the first connection");
    }
  }
}
