package io.cascade.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.cascade.message.Priority;
import io.cascade.observability.CascadeMetrics;
import io.cascade.observability.Incidents;
import io.cascade.observability.Incidents.Kind;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Publishes message ids to the dispatch queue with publisher confirms: a publication succeeds only
 * when the broker confirms it, and is published with {@code mandatory} so an unroutable message
 * fails instead of vanishing. Every failure (no connection, nack, return, confirm timeout) leaves
 * the message in the outbox for the relay to try again, so this class may fail freely but never
 * report a success it did not get.
 *
 * <p>Publishing runs on one dedicated thread, never on the event loop (the looks at queue depth for
 * fair share on another, so that they never hold a publication up). The connection is dropped and
 * reopened after a nack or a confirm timeout, since a channel in that state may keep failing until
 * the node it talks to recovers.
 */
@ApplicationScoped
public class DispatchPublisher {

  private static final Logger LOG = Logger.getLogger(DispatchPublisher.class);

  private static final String SHUTDOWN = "shutdown";

  private final BrokerConfig config;
  private final BrokerTopology topology;
  private final BrokerConnections connections;
  private final QueueProgress progress;
  private final Incidents incidents;
  private final CascadeMetrics metrics;
  private final ThreadPoolExecutor io;
  private final ThreadPoolExecutor inspection;
  private volatile ConfirmingChannel current;
  private long lastConnectAttemptNanos;
  private Address lastDroppedNode;

  DispatchPublisher(
      BrokerConfig config,
      BrokerTopology topology,
      BrokerConnections connections,
      QueueProgress progress,
      Incidents incidents,
      CascadeMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.progress = progress;
    this.incidents = incidents;
    this.topology = topology;
    this.connections = connections;
    this.io =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(config.maxPendingConfirms()),
            runnable -> {
              Thread thread = new Thread(runnable, "cascade-publisher");
              thread.setDaemon(true);
              return thread;
            });
    // One look at the queues at a time; a look asked for while one is waiting is refused.
    this.inspection =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "cascade-queue-depth");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Publishes one message id to its class's queue; completes when the broker confirmed it, with the
   * time the publication was stamped with ({@link QueueProgress}).
   */
  public Uni<Instant> publish(UUID messageId, Priority priority) {
    String routingKey = config.routingKeyOf(priority);
    CompletableFuture<Instant> confirmed = new CompletableFuture<>();
    AtomicReference<ConfirmingChannel> usedChannel = new AtomicReference<>();
    try {
      io.execute(
          () -> usedChannel.set(publishOnIoThread(messageId.toString(), routingKey, confirmed)));
    } catch (RejectedExecutionException e) {
      confirmed.completeExceptionally(new PublishException("too many publications pending"));
    }
    return Uni.createFrom()
        .completionStage(confirmed)
        .ifNoItem()
        .after(config.confirmTimeout())
        .failWith(
            () -> {
              String why = "no confirm within " + config.confirmTimeout();
              runOnIoThread(() -> dropChannel(usedChannel.get(), why));
              return new PublishException(why);
            });
  }

  /** Whether the publisher holds an open channel right now; nothing is tried. */
  /** The node the publisher is connected to, or null. */
  public String connectedNode() {
    ConfirmingChannel channel = current;
    return channel != null && channel.isOpen() ? channel.node.toString() : null;
  }

  public boolean isConnected() {
    ConfirmingChannel channel = current;
    return channel != null && channel.isOpen();
  }

  /**
   * Whether the publisher holds, or can open now, a connection to the broker. Used by the health
   * data; the reconnect interval keeps frequent checks from hammering a broker that is down.
   */
  public Uni<Boolean> canReachBroker() {
    CompletableFuture<Boolean> reachable = new CompletableFuture<>();
    try {
      io.execute(
          () -> {
            try {
              openChannelIfNeeded();
              reachable.complete(true);
            } catch (IOException | RuntimeException | TimeoutException e) {
              reachable.complete(false);
            }
          });
    } catch (RejectedExecutionException e) {
      reachable.complete(false);
    }
    return Uni.createFrom()
        .completionStage(reachable)
        .ifNoItem()
        .after(config.connectionTimeout())
        .recoverWithItem(false);
  }

  /**
   * The ready messages of each class's queue, as the broker counts them (all replicas' messages),
   * asked over the publisher's connection; fails when it has none.
   */
  public Uni<Map<Priority, Long>> readyCounts() {
    CompletableFuture<Map<Priority, Long>> counts = new CompletableFuture<>();
    try {
      // Not on the publisher's thread: a passive declare to a frozen node blocks until the RPC
      // timeout, and publishes (and dropping that channel on a confirm timeout) must not wait.
      inspection.execute(
          () -> {
            ConfirmingChannel channel = current;
            if (channel == null || !channel.isOpen()) {
              counts.completeExceptionally(new PublishException("not connected"));
              return;
            }
            try {
              Channel asking = channel.inspector();
              Map<Priority, Long> ready = new EnumMap<>(Priority.class);
              for (Priority priority : Priority.values()) {
                String queue = config.queueOf(priority);
                long count = asking.queueDeclarePassive(queue).getMessageCount();
                ready.put(priority, count);
                progress.observed(queue, count, System.currentTimeMillis());
              }
              counts.complete(ready);
            } catch (IOException | RuntimeException e) {
              counts.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      counts.completeExceptionally(new PublishException("the last look is still waiting"));
    }
    return Uni.createFrom()
        .completionStage(counts)
        .ifNoItem()
        .after(config.confirmTimeout())
        .fail();
  }

  /** Publishes on the current channel (opening one if needed) and returns it, or null. */
  private ConfirmingChannel publishOnIoThread(
      String messageId, String routingKey, CompletableFuture<Instant> confirmed) {
    try {
      ConfirmingChannel channel = openChannelIfNeeded();
      channel.publish(messageId, routingKey, confirmed);
      return channel;
    } catch (IOException | RuntimeException | TimeoutException e) {
      confirmed.completeExceptionally(new PublishException("broker unavailable: " + e));
      dropChannel(current, "publish failed: " + e);
      return null;
    }
  }

  private ConfirmingChannel openChannelIfNeeded() throws IOException, TimeoutException {
    ConfirmingChannel channel = current;
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    long now = System.nanoTime();
    if (lastConnectAttemptNanos != 0
        && now - lastConnectAttemptNanos < config.reconnectInterval().toNanos()) {
      throw new PublishException("not connected; next attempt after the reconnect interval");
    }
    lastConnectAttemptNanos = now;
    Connection connection = connections.open("cascade-publisher", lastDroppedNode);
    try (Channel declaring = connection.createChannel()) {
      topology.declare(declaring);
    } catch (IOException | RuntimeException | TimeoutException e) {
      connection.abort(1000);
      throw e;
    }
    current = new ConfirmingChannel(connection);
    LOG.infof("publisher connected to %s", current.node);
    incidents.recovered(Kind.BROKER_PUBLISHING, "publisher", "connected to " + current.node);
    return current;
  }

  /**
   * Drops {@code channel} if it is still the current one: a burst of timeouts from one bad channel
   * must not also tear down the healthy channel that replaced it.
   */
  private void dropChannel(ConfirmingChannel channel, String why) {
    if (channel == null || channel != current) {
      return;
    }
    current = null;
    lastDroppedNode = channel.node;
    LOG.warnf("publisher drops its broker connection: %s", why);
    if (!SHUTDOWN.equals(why)) {
      incidents.failed(Kind.BROKER_PUBLISHING, "publisher", why + " (" + channel.node + ")");
    }
    channel.close(new PublishException(why));
  }

  private void runOnIoThread(Runnable task) {
    try {
      io.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("publisher queue full or shut down; task skipped");
    }
  }

  @PreDestroy
  void close() {
    runOnIoThread(() -> dropChannel(current, SHUTDOWN));
    io.shutdown();
    inspection.shutdownNow();
  }

  /** One connection and confirm-mode channel, with the publications it has not had confirmed. */
  private final class ConfirmingChannel {
    private final Connection connection;
    private final Address node;
    private final Channel channel;
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private volatile Channel inspector; // used on the queue-depth thread only

    ConfirmingChannel(Connection connection) throws IOException {
      this.connection = connection;
      this.node = BrokerConnections.nodeOf(connection);
      this.channel = connection.createChannel();
      channel.confirmSelect();
      // The broker sends basic.return before the ack of an unroutable mandatory publication.
      channel.addReturnListener(r -> returned.add(r.getProperties().getMessageId()));
      channel.addConfirmListener(
          (tag, multiple) -> settle(tag, multiple, null),
          (tag, multiple) -> {
            settle(tag, multiple, "nacked by the broker");
            runOnIoThread(() -> dropChannel(this, "broker nacked a publication"));
          });
      channel.addShutdownListener(
          cause -> failAll(new PublishException("channel closed: " + cause)));
    }

    boolean isOpen() {
      return channel.isOpen();
    }

    /**
     * A channel of its own for passive declares (a failed one closes the channel it ran on), kept
     * open between looks so that asking every 50 ms does not churn channels.
     */
    Channel inspector() throws IOException {
      if (inspector == null || !inspector.isOpen()) {
        inspector = connection.createChannel();
      }
      return inspector;
    }

    void publish(String messageId, String routingKey, CompletableFuture<Instant> confirmed)
        throws IOException {
      // Stamped as late as possible: the stamp says the message is on the queue from about then.
      long stamp = System.currentTimeMillis();
      AMQP.BasicProperties properties =
          MessageProperties.PERSISTENT_TEXT_PLAIN
              .builder()
              .messageId(messageId)
              .headers(Map.of(QueueProgress.STAMP_HEADER, stamp))
              .build();
      pending.put(channel.getNextPublishSeqNo(), new Pending(messageId, stamp, confirmed));
      channel.basicPublish(
          config.exchange(),
          routingKey,
          true,
          properties,
          messageId.getBytes(StandardCharsets.US_ASCII));
    }

    private void settle(long tag, boolean multiple, String nackReason) {
      Map<Long, Pending> settled =
          multiple ? pending.headMap(tag, true) : pending.subMap(tag, true, tag, true);
      for (Pending publication : settled.values()) {
        if (nackReason != null) {
          publication.confirmed.completeExceptionally(new PublishException(nackReason));
        } else if (returned.remove(publication.messageId)) {
          publication.confirmed.completeExceptionally(
              new PublishException("unroutable: is the dispatch queue declared?"));
        } else {
          metrics.confirmed(System.currentTimeMillis() - publication.stamp);
          publication.confirmed.complete(Instant.ofEpochMilli(publication.stamp));
        }
      }
      settled.clear();
    }

    private void failAll(PublishException failure) {
      pending.values().forEach(p -> p.confirmed.completeExceptionally(failure));
      pending.clear();
    }

    void close(PublishException failure) {
      failAll(failure);
      try {
        connection.abort(1000);
      } catch (RuntimeException e) {
        LOG.debug("abort of a broken connection failed", e);
      }
    }
  }

  private record Pending(String messageId, long stamp, CompletableFuture<Instant> confirmed) {}

  /** A publication the broker did not confirm; the outbox relay will try it again. */
  public static final class PublishException extends RuntimeException {
    PublishException(String message) {
      super(message, null, false, false);
    }
  }
}
