package io.cascade.dispatch;

import io.cascade.message.Priority;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the publisher talks to RabbitMQ. Host, port, credentials and virtual host are the connector's
 * {@code rabbitmq-*} properties, shared with the consumer.
 */
@ConfigMapping(prefix = "cascade.broker")
public interface BrokerConfig {

  /** Exchange messages are published to. */
  @WithDefault("cascade")
  String exchange();

  /** Routing key binding the exchange to the dispatch queue. */
  @WithDefault("dispatch")
  String routingKey();

  /** The dispatch quorum queue. */
  @WithDefault("cascade.dispatch")
  String queue();

  /** Deliveries of one message after which the queue dead-letters it. */
  @WithDefault("20")
  long deliveryLimit();

  /** Dead-letter exchange of the dispatch queue. */
  @WithDefault("cascade.dlx")
  String deadLetterExchange();

  /** Quorum queue receiving dead-lettered dispatch messages. */
  @WithDefault("cascade.dispatch.dlq")
  String deadLetterQueue();

  /**
   * Replicas of the dispatch quorum queue when it is first declared (capped by the cluster size).
   */
  @WithDefault("3")
  int quorumInitialGroupSize();

  /** A publication not confirmed within this time is treated as failed (the relay retries it). */
  @WithDefault("5s")
  Duration confirmTimeout();

  /**
   * Least time between two connection attempts, of the publisher and of each consumer. After a node
   * dies, deliveries resume about this long later; but a consumer that comes back before the queue
   * has elected a new leader can hang until the dead node returns, so it must exceed the election
   * time (0.2–0.6 s here). Measured in docs/reliability.md.
   */
  @WithDefault("1s")
  Duration reconnectInterval();

  /**
   * Longest wait for one node while connecting (TCP connect, AMQP handshake) and for any channel
   * operation (declare, consume), for the publisher and the consumers alike.
   */
  @WithDefault("5s")
  Duration connectionTimeout();

  /**
   * AMQP heartbeat asked for by the publisher and the consumers; a silent node is dropped after
   * about twice this.
   */
  @WithDefault("10s")
  Duration heartbeat();

  /**
   * How long a consumer with room for more deliveries may receive none while its queue has ready
   * messages before it drops its connection and consumes anew, so that the broker releases what it
   * may hold for it. Longer than a healthy pause between deliveries under load.
   */
  @WithDefault("5s")
  Duration consumerIdleLimit();

  /** Most publications awaiting a confirm; beyond it new ones fail fast and wait for the relay. */
  @WithDefault("10000")
  int maxPendingConfirms();

  /** The dispatch queue of a priority class: {@link #queue()} for normal, else with a suffix. */
  default String queueOf(Priority priority) {
    return priority == Priority.NORMAL ? queue() : queue() + "." + priority.id();
  }

  /** The routing key of a priority class's dispatch queue. */
  default String routingKeyOf(Priority priority) {
    return priority == Priority.NORMAL ? routingKey() : routingKey() + "." + priority.id();
  }
}
