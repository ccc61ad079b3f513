package io.cascade.dispatch;

import io.cascade.api.DatabaseFailures;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;

/**
 * Consumes the dispatch queue. The returned Uni completes only after the message's resulting state
 * is committed, and only then does the connector ack; a crash before that leaves the message on the
 * queue for redelivery.
 */
@ApplicationScoped
public class DispatchConsumer {

  /** The incoming channel bound to the dispatch quorum queue. */
  public static final String CHANNEL = "dispatch";

  private static final Logger LOG = Logger.getLogger(DispatchConsumer.class);

  private final Dispatcher dispatcher;

  DispatchConsumer(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(String messageId) {
    UUID id;
    try {
      id = UUID.fromString(messageId.trim());
    } catch (IllegalArgumentException e) {
      LOG.errorf("dropping a queue entry that is not a message id: %s", messageId);
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom()
        .deferred(() -> dispatcher.dispatch(id))
        // Wait out a database outage while holding the delivery, instead of burning the queue's
        // delivery limit on requeues; a concurrent change (lost optimistic lock) is simply re-read.
        .onFailure(DispatchConsumer::isTransient)
        .retry()
        .withBackOff(Duration.ofMillis(250), Duration.ofSeconds(2))
        .atMost(300)
        // The delivery goes back to the queue; say why, or a loop of failures would go unseen.
        .onFailure()
        .invoke(failure -> LOG.errorf(failure, "dispatch of message %s failed; requeued", id));
  }

  private static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
        return true;
      }
    }
    return DatabaseFailures.isUnavailable(failure);
  }
}
