package io.cascade.dispatch;

import io.cascade.channel.ReceiptSink;
import io.cascade.core.MessageState;
import io.cascade.core.Transition;
import io.cascade.core.Transition.Metric;
import io.cascade.observability.CascadeMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Carries out what follows a committed transition: counts it, publishes the message when a step
 * moved on (the outbox relay takes over if that publication is not confirmed), and tells the
 * receipts which provider ids are stored now.
 */
@ApplicationScoped
public class AfterCommit {

  private static final Logger LOG = Logger.getLogger(AfterCommit.class);

  private final CascadeMetrics metrics;
  private final Outbox outbox;
  private final ReceiptSink receipts;

  AfterCommit(CascadeMetrics metrics, Outbox outbox, ReceiptSink receipts) {
    this.metrics = metrics;
    this.outbox = outbox;
    this.receipts = receipts;
  }

  /** Runs the effects of {@code transition}, which has committed. */
  public void run(Transition transition) {
    for (Metric metric : transition.metrics()) {
      count(transition, metric);
    }
    if (transition.publish()) {
      MessageState message = transition.message();
      outbox.publishCommitted(message.id(), message.publishDueAt(), message.priority());
    }
    if (!transition.providerIds().isEmpty()) {
      receipts.idsStored(
          transition.providerIds().stream()
              .map(id -> new ReceiptSink.ProviderMessageId(id.provider(), id.providerMessageId()))
              .toList());
    }
  }

  private void count(Transition transition, Metric metric) {
    if (metric instanceof Metric.AttemptEnded m) {
      metrics.attempt(m.channel().id(), m.provider(), m.status());
    } else if (metric instanceof Metric.Failover m) {
      metrics.failover(m.from(), m.to(), m.reason());
      LOG.debugf(
          "message %s: %s step ended (%s), failing over to %s",
          transition.messageId(), m.from(), m.reason(), m.to());
    } else if (metric instanceof Metric.ProviderFailover m) {
      metrics.providerFailover(m.channel().id(), m.provider(), m.reason());
    } else if (metric instanceof Metric.Final m) {
      metrics.finalStatus(m.status().id(), m.acceptedAt());
    } else if (metric instanceof Metric.RouteWait m) {
      metrics.routeWait(m.reason());
    } else if (metric instanceof Metric.DoubleDelivery m) {
      metrics.doubleDelivery(m.first(), m.second());
    }
  }
}
