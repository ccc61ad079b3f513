package io.cascade.dispatch;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.cascade.observability.CascadeMetrics;
import io.cascade.observability.Incidents;
import io.cascade.observability.Incidents.Kind;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.jboss.logging.Logger;

/**
 * SmallRye Reactive Messaging connector that consumes a quorum queue with the RabbitMQ Java client
 * and recovers the way a failover needs: after losing its node (killed, frozen, nacking) a consumer
 * reconnects to another live node on its own, every reconnect interval, for as long as it takes.
 *
 * <p>It replaces {@code smallrye-rabbitmq} for the dispatch channel. Measured on a 3-node cluster
 * (docs/reliability.md), that connector acked deliveries of a dead channel on the new one after a
 * reconnect ("unknown delivery tag"), which closed the new channel again, and after the leader's
 * node was killed its consumers stopped for good with messages left in the queue. Here a delivery
 * is acked only on the channel it came from; if that channel is gone, the broker has already put
 * the message back and the dispatcher recognises the redelivery by its stored state. A consumer
 * that the broker stops sending to while its queue has ready messages consumes anew on a new
 * connection, and every delivery's publication stamp is reported to {@link QueueProgress}.
 *
 * <p>Channel attributes: {@code queue} (default {@code cascade.broker.queue}), {@code prefetch}
 * (unacknowledged deliveries, default 16). Each copy of a channel ({@code concurrency}) has its own
 * connection.
 */
@ApplicationScoped
@Connector(QuorumQueueConnector.NAME)
public class QuorumQueueConnector implements InboundConnector {

  /** The connector name used in {@code mp.messaging.incoming.<channel>.connector}. */
  public static final String NAME = "cascade-quorum-queue";

  private static final Logger LOG = Logger.getLogger(QuorumQueueConnector.class);

  private final BrokerConnections connections;
  private final BrokerConfig config;
  private final Vertx vertx;
  private final QueueProgress progress;
  private final CascadeMetrics metrics;
  private final Incidents incidents;
  private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  QuorumQueueConnector(
      BrokerConnections connections,
      BrokerConfig config,
      Vertx vertx,
      QueueProgress progress,
      CascadeMetrics metrics,
      Incidents incidents) {
    this.incidents = incidents;
    this.connections = connections;
    this.config = config;
    this.vertx = vertx;
    this.progress = progress;
    this.metrics = metrics;
  }

  @Override
  public Flow.Publisher<? extends Message<?>> getPublisher(Config channel) {
    String queue = channel.getOptionalValue("queue", String.class).orElse(config.queue());
    int prefetch = channel.getOptionalValue("prefetch", Integer.class).orElse(16);
    return Multi.createFrom()
        .emitter(
            (MultiEmitter<? super Message<String>> emitter) -> {
              QueueConsumer consumer =
                  new QueueConsumer(
                      "cascade-consumer-" + ids.incrementAndGet(), queue, prefetch, emitter);
              consumers.add(consumer);
              emitter.onTermination(consumer::close);
              consumer.start();
            },
            BackPressureStrategy.BUFFER);
  }

  /** Whether every consumer is subscribed to its queue right now. */
  public boolean allConsuming() {
    return !consumers.isEmpty() && consumers.stream().allMatch(QueueConsumer::isConsuming);
  }

  /** How many consumers were started (each keeps reconnecting on its own until closed). */
  public int started() {
    return consumers.size();
  }

  /** Deliveries this replica has received and not settled yet: its unacknowledged ones. */
  public int inHand() {
    return consumers.stream().mapToInt(QueueConsumer::inHand).sum();
  }

  /** How many consumers are subscribed to their queue right now. */
  public int consuming() {
    return (int) consumers.stream().filter(QueueConsumer::isConsuming).count();
  }

  /**
   * Stops taking deliveries (every consumer cancels its subscription and does not subscribe again)
   * and waits until each delivery already handed to the dispatcher is settled, at most {@code
   * timeout}. Returns how many are still unsettled then.
   */
  public int drain(Duration timeout) throws InterruptedException {
    consumers.forEach(QueueConsumer::stopTaking);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inHand() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return inHand();
  }

  /** The messages of the deliveries handed to the dispatcher and not settled yet. */
  public Set<UUID> messagesInHand() {
    Set<UUID> ids = new HashSet<>();
    consumers.forEach(consumer -> consumer.messagesInHand(ids));
    return ids;
  }

  @PreDestroy
  void close() {
    consumers.forEach(QueueConsumer::close);
  }

  /** One consumer: a connection, a channel, and the loop that brings them back. */
  private final class QueueConsumer {
    private final String name;
    private final String queue;
    private final int prefetch;
    private final MultiEmitter<? super Message<String>> emitter;
    // All broker calls of this consumer run here: never on the event loop, never concurrently.
    private final ScheduledExecutorService io;
    // One event loop per consumer; each message gets a duplicated context of it.
    private final Context eventLoop = vertx.getOrCreateContext();
    private volatile Channel channel;
    private Connection connection;
    private Address lastNode;
    private boolean reconnecting;
    private volatile boolean closed;
    private volatile boolean draining;
    private volatile long lastDeliveryNanos = System.nanoTime();
    // Deliveries handed to the dispatcher and not settled yet, to spot one that never finishes.
    private final Map<Outstanding, Long> outstanding = new ConcurrentHashMap<>();

    QueueConsumer(
        String name, String queue, int prefetch, MultiEmitter<? super Message<String>> emitter) {
      this.name = name;
      this.queue = queue;
      this.prefetch = prefetch;
      this.emitter = emitter;
      this.io =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
              });
    }

    void start() {
      io.execute(this::connect);
      io.scheduleWithFixedDelay(this::checkProgress, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Consumes anew when the broker stopped sending while the queue has ready messages and this
     * consumer has room for more: the broker may be holding deliveries for this consumer that never
     * reach it (RabbitMQ 3.10 after a leader election keeps such "orphaned" deliveries until the
     * consumer's channel closes), and closing the channel makes it release them. Also warns, once
     * per delivery, about deliveries received over 30 s ago and not settled yet.
     */
    private void checkProgress() {
      Duration idleLimit = config.consumerIdleLimit();
      if (!draining
          && isConsuming()
          && inHand() < prefetch
          && System.nanoTime() - lastDeliveryNanos > idleLimit.toNanos()
          && progress.readyThroughout(queue, idleLimit, System.currentTimeMillis())) {
        metrics.consumerRecycled(queue);
        reconnectLater("no delivery for " + idleLimit + " while the queue has ready messages");
      }
      long limit = System.nanoTime() - TimeUnit.SECONDS.toNanos(30);
      outstanding.forEach(
          (delivery, since) -> {
            // Kept (a drain waits for it), marked so that it is reported once.
            if (since < limit && outstanding.replace(delivery, since, Long.MAX_VALUE)) {
              LOG.warnf(
                  "%s received message %s over 30 s ago and has not finished it",
                  name, delivery.messageId());
            }
          });
    }

    int inHand() {
      return outstanding.size();
    }

    void messagesInHand(Set<UUID> ids) {
      for (Outstanding delivery : outstanding.keySet()) {
        try {
          ids.add(UUID.fromString(delivery.messageId()));
        } catch (IllegalArgumentException e) {
          // not a message id: the consumer drops it
        }
      }
    }

    /** Cancels the subscription; deliveries already sent by the broker are still processed. */
    void stopTaking() {
      draining = true;
      try {
        io.execute(
            () -> {
              Channel current = channel;
              if (current == null || !current.isOpen()) {
                return;
              }
              try {
                current.basicCancel(name);
                LOG.infof("%s takes no more deliveries; %d in hand", name, inHand());
              } catch (IOException | RuntimeException e) {
                LOG.debugf("%s could not cancel its subscription: %s", name, e);
              }
            });
      } catch (RejectedExecutionException e) {
        LOG.debugf("%s was shut down already", name);
      }
    }

    boolean isConsuming() {
      Channel current = channel;
      return current != null && current.isOpen();
    }

    private void connect() {
      reconnecting = false;
      if (closed || draining) {
        return;
      }
      try {
        Connection opened = connections.open(name, lastNode);
        connection = opened; // so that a failure below aborts it
        Channel opening = opened.createChannel();
        opening.basicQos(prefetch);
        opened.addShutdownListener(
            cause -> {
              if (!cause.isInitiatedByApplication()) {
                reconnectLater("connection lost: " + cause.getMessage());
              }
            });
        opening.addShutdownListener(
            cause -> {
              if (!cause.isInitiatedByApplication() && !cause.isHardError()) {
                reconnectLater("channel closed: " + cause.getMessage());
              }
            });
        opening.basicConsume(
            queue,
            false,
            name,
            (tag, delivery) -> emit(opening, delivery),
            tag -> reconnectLater("consumer cancelled by the broker"));
        lastNode = BrokerConnections.nodeOf(opened);
        lastDeliveryNanos = System.nanoTime();
        channel = opening;
        LOG.infof("%s consumes %s on %s", name, queue, lastNode);
        incidents.recovered(Kind.BROKER_CONSUMING, name, "consuming again on " + lastNode);
      } catch (IOException | RuntimeException | TimeoutException e) {
        reconnectLater("cannot consume: " + e);
      }
    }

    /** Drops the current connection and tries again after the reconnect interval. */
    private void reconnectLater(String why) {
      if (closed || draining || io.isShutdown()) {
        return;
      }
      io.execute(
          () -> {
            if (reconnecting) {
              return; // the connection and its channel both report one failure
            }
            reconnecting = true;
            LOG.warnf("%s reconnects: %s", name, why);
            incidents.failed(Kind.BROKER_CONSUMING, name, name + ": " + why);
            channel = null;
            abortConnection();
            io.schedule(
                this::connect, config.reconnectInterval().toMillis(), TimeUnit.MILLISECONDS);
          });
    }

    private void emit(Channel from, Delivery delivery) {
      lastDeliveryNanos = System.nanoTime();
      Map<String, Object> headers = delivery.getProperties().getHeaders();
      if (headers != null && headers.get(QueueProgress.STAMP_HEADER) instanceof Number stamp) {
        progress.received(queue, stamp.longValue());
      }
      String messageId = new String(delivery.getBody(), StandardCharsets.US_ASCII);
      Outstanding received =
          new Outstanding(from, delivery.getEnvelope().getDeliveryTag(), messageId);
      Message<String> message =
          Message.of(messageId)
              .withAck(() -> settle(received, true))
              .withNack(failure -> settle(received, false));
      outstanding.put(received, System.nanoTime());
      // Each message runs on its own duplicated Vert.x context, as Hibernate Reactive requires.
      Context context = VertxContext.createNewDuplicatedContext(eventLoop);
      context.runOnContext(ignored -> emitter.emit(message));
    }

    /**
     * Acks (or requeues) on the delivery's own channel, off the event loop. Completes at once: a
     * lost ack only means a redelivery, which the dispatcher handles.
     */
    private CompletableFuture<Void> settle(Outstanding delivery, boolean ack) {
      outstanding.remove(delivery);
      try {
        io.execute(() -> settleOnIoThread(delivery.channel(), delivery.tag(), ack));
      } catch (RejectedExecutionException e) {
        LOG.debugf("%s is shutting down; the broker requeues delivery %d", name, delivery.tag());
      }
      return CompletableFuture.completedFuture(null);
    }

    private void settleOnIoThread(Channel from, long tag, boolean ack) {
      if (!from.isOpen()) {
        return; // the broker requeued it when the channel closed
      }
      try {
        if (ack) {
          from.basicAck(tag, false);
        } else {
          from.basicNack(tag, false, true);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debugf("%s could not settle delivery %d: %s", name, tag, e);
      }
    }

    private void abortConnection() {
      Connection current = connection;
      connection = null;
      if (current != null) {
        current.abort(1000);
      }
    }

    /**
     * Stops for good. Called twice at shutdown (the channel's termination, then the connector's
     * {@code @PreDestroy}), so the second call must neither fail nor stop the others' closing.
     */
    void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        io.execute(this::abortConnection);
      } catch (RejectedExecutionException e) {
        LOG.debugf("%s was shut down already", name);
      }
      io.shutdown();
    }
  }

  /** A delivery in the dispatcher's hands: its channel, tag and message id. */
  private record Outstanding(Channel channel, long tag, String messageId) {}
}
