package io.cascade.dispatch;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.jboss.logging.Logger;

/**
 * A stop (SIGTERM, a rolling update) that loses and repeats nothing: before anything else closes
 * (the providers, the database pool), the dispatch consumers take no more deliveries and the
 * service finishes those in hand, each sent, recorded and acked, for at most {@link
 * DispatchConfig#drainTimeout()}. HTTP requests in flight are drained by Quarkus itself ({@code
 * quarkus.shutdown.timeout}). Without this, every delivery in hand would be cut off mid-send and
 * sent again by the next consumer as {@code interrupted}: a duplicate SMS per rolling update.
 */
@ApplicationScoped
class GracefulStop {

  private static final Logger LOG = Logger.getLogger(GracefulStop.class);

  private final QuorumQueueConnector consumers;
  private final DispatchConfig config;

  GracefulStop(
      @Connector(QuorumQueueConnector.NAME) QuorumQueueConnector consumers, DispatchConfig config) {
    this.consumers = consumers;
    this.config = config;
  }

  // First of the shutdown observers: the providers and the store must still work meanwhile.
  void drain(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent stopping) {
    long start = System.nanoTime();
    try {
      int left = consumers.drain(config.drainTimeout());
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (left == 0) {
        LOG.infof("dispatch drained in %d ms", millis);
      } else {
        LOG.warnf(
            "%d deliveries still in hand after %d ms; the broker delivers them again",
            left, millis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
