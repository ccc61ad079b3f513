package io.cascade.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.cascade.support.Broker;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dispatch queue and its dead-letter queue exist on the real broker as durable quorum queues.
 * RabbitMQ accepts a redeclaration only with exactly the queue's properties, which these checks
 * rely on.
 */
@QuarkusTest
class TopologyTest {

  /** The dispatch queue's arguments as the service declares them. */
  private static final Map<String, Object> DISPATCH_ARGUMENTS =
      Map.of(
          "x-queue-type", "quorum",
          "x-delivery-limit", 20L,
          "x-quorum-initial-group-size", 3,
          "x-dead-letter-exchange", "cascade.dlx",
          "x-dead-letter-routing-key", "cascade.dispatch");

  @Test
  void dispatchQueueIsADurableQuorumQueueWithDeliveryLimitAndDeadLetterQueue() throws Exception {
    assertQuorumAndDurable("cascade.dispatch", DISPATCH_ARGUMENTS);
  }

  @Test
  void eachPriorityClassHasADurableQuorumQueueOfItsOwn() throws Exception {
    for (String queue : List.of("cascade.dispatch.high", "cascade.dispatch.bulk")) {
      Map<String, Object> arguments = new HashMap<>(DISPATCH_ARGUMENTS);
      arguments.put("x-dead-letter-routing-key", queue);
      assertQuorumAndDurable(queue, arguments);
    }
  }

  @Test
  void deadLetterQueueIsADurableQuorumQueue() throws Exception {
    assertQuorumAndDurable("cascade.dispatch.dlq", Map.of("x-queue-type", "quorum"));
  }

  private static void assertQuorumAndDurable(String queue, Map<String, Object> arguments)
      throws Exception {
    try (Connection connection = Broker.connect()) {
      Channel same = connection.createChannel();
      assertThat(same.queueDeclare(queue, true, false, false, arguments).getQueue())
          .isEqualTo(queue);

      Map<String, Object> classicArguments = new HashMap<>(arguments);
      classicArguments.put("x-queue-type", "classic");
      Channel classic = connection.createChannel();
      assertThatThrownBy(() -> classic.queueDeclare(queue, true, false, false, classicArguments))
          .hasStackTraceContaining("PRECONDITION_FAILED")
          .hasStackTraceContaining("x-queue-type");

      Channel transientQueue = connection.createChannel();
      assertThatThrownBy(() -> transientQueue.queueDeclare(queue, false, false, false, arguments))
          .hasStackTraceContaining("PRECONDITION_FAILED")
          .hasStackTraceContaining("durable");
    }
  }
}
