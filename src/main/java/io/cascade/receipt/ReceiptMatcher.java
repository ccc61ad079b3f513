package io.cascade.receipt;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Applies receipts that arrived before their attempt's provider id was stored (a fast SMSC can send
 * the receipt before Cascade has recorded the answer to the submit). Runs on every replica; {@code
 * FOR UPDATE SKIP LOCKED} keeps them off each other's receipts.
 */
@ApplicationScoped
public class ReceiptMatcher {

  private static final Logger LOG = Logger.getLogger(ReceiptMatcher.class);
  private static final int BATCH = 500;

  private final ReceiptInbox inbox;

  ReceiptMatcher(ReceiptInbox inbox) {
    this.inbox = inbox;
  }

  @Scheduled(
      every = "${cascade.receipts.match-interval:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> matchPending() {
    return inbox
        .matchPending(BATCH)
        .invoke(
            matched -> {
              if (matched > 0) {
                LOG.debugf("matched %d receipts that had arrived before their attempt", matched);
              }
            })
        .onFailure()
        .invoke(failure -> LOG.debugf("receipt matching skipped: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }
}
