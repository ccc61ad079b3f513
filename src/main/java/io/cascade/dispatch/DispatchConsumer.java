package io.cascade.dispatch;

import io.cascade.api.DatabaseFailures;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes the dispatch queue, many deliveries at once per consumer: each delivery is handed to the
 * dispatcher and the next one is taken at once, up to the consumer's prefetch (the broker's limit
 * of unacknowledged deliveries). A delivery is acked only after the message's resulting state is
 * committed; a crash before that leaves it on the queue for redelivery.
 */
@ApplicationScoped
public class DispatchConsumer {

  /** The incoming channel bound to the dispatch quorum queue of normal messages. */
  public static final String CHANNEL = "dispatch";

  /** The incoming channel of high-priority messages. */
  public static final String HIGH = "dispatch-high";

  /** The incoming channel of bulk messages. */
  public static final String BULK = "dispatch-bulk";

  private static final Logger LOG = Logger.getLogger(DispatchConsumer.class);

  private final Dispatcher dispatcher;

  DispatchConsumer(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Incoming(HIGH)
  public CompletionStage<Void> consumeHigh(Message<String> delivery) {
    return consume(delivery);
  }

  @Incoming(BULK)
  public CompletionStage<Void> consumeBulk(Message<String> delivery) {
    return consume(delivery);
  }

  @Incoming(CHANNEL)
  public CompletionStage<Void> consume(Message<String> delivery) {
    UUID id;
    try {
      id = UUID.fromString(delivery.getPayload().trim());
    } catch (IllegalArgumentException e) {
      LOG.errorf("dropping a queue entry that is not a message id: %s", delivery.getPayload());
      return delivery.ack();
    }
    Uni.createFrom()
        .deferred(() -> dispatcher.dispatch(id))
        // Wait out a database outage while holding the delivery, instead of burning the queue's
        // delivery limit on requeues.
        .onFailure(DatabaseFailures::isUnavailable)
        .retry()
        .withBackOff(Duration.ofMillis(250), Duration.ofSeconds(2))
        .atMost(300)
        .subscribe()
        .with(
            done -> delivery.ack(),
            failure -> {
              // The delivery goes back to the queue; say why, or a loop of failures would go
              // unseen.
              LOG.errorf(failure, "dispatch of message %s failed; requeued", id);
              delivery.nack(failure);
            });
    // Not the dispatch's end: the connector hands over the next delivery right away.
    return CompletableFuture.completedFuture(null);
  }
}
