package io.cascade.channel;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Where providers hand the delivery receipts and status callbacks they get. The receipt is stored
 * when the returned Uni completes, and only then may the provider answer its peer (an SMSC's {@code
 * deliver_sm_resp}, a callback's HTTP status): a receipt the peer considers handed over is never
 * lost.
 */
public interface ReceiptSink {

  /** An id a provider answered a send with. */
  record ProviderMessageId(String provider, String id) {}

  /** Stores the receipt and applies it if its attempt is known; completes once committed. */
  Uni<Void> accept(Receipt receipt);

  /**
   * The ids providers answered these sends with are stored now: receipts that overtook those
   * answers (a fast SMSC sends the receipt before its {@code submit_sm_resp} is recorded) can be
   * applied at once rather than at their next retry. Returns at once; the work runs behind.
   */
  void idsStored(List<ProviderMessageId> ids);
}
