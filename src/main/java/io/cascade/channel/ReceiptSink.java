package io.cascade.channel;

import io.smallrye.mutiny.Uni;

/**
 * Where providers hand the delivery receipts and status callbacks they get. The receipt is stored
 * when the returned Uni completes, and only then may the provider answer its peer (an SMSC's {@code
 * deliver_sm_resp}, a callback's HTTP status): a receipt the peer considers handed over is never
 * lost.
 */
public interface ReceiptSink {

  /** Stores the receipt and applies it if its attempt is known; completes once committed. */
  Uni<Void> accept(Receipt receipt);
}
