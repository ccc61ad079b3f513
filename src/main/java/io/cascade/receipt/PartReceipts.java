package io.cascade.receipt;

import io.cascade.channel.ReceiptStatus;
import io.cascade.store.ReceiptStore.PartState;
import io.cascade.store.ReceiptStore.PartUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a batch of receipts does to the SMS parts of their attempts, without I/O. Each part's status
 * only moves as {@link ReceiptStatus#then} allows; an attempt is delivered when every part is, and
 * negative as soon as any part is. Receipts are applied in the order given, so several receipts for
 * one part or one attempt in the same batch end as they would one transaction after the other.
 */
final class PartReceipts {

  private record Key(UUID attemptId, int part) {}

  private final Map<Key, ReceiptStatus> statuses = new HashMap<>();
  private final Map<UUID, List<Key>> partsOf = new HashMap<>();
  private final Map<Key, PartUpdate> updates = new LinkedHashMap<>();

  /**
   * @param stored every part of the attempts the receipts name, in part order per attempt
   */
  PartReceipts(List<PartState> stored) {
    for (PartState part : stored) {
      Key key = new Key(part.attemptId(), part.part());
      statuses.put(key, part.status());
      partsOf.computeIfAbsent(part.attemptId(), id -> new ArrayList<>()).add(key);
    }
  }

  /** Applies one receipt to its part; the status of the part's attempt, as all its parts say. */
  ReceiptStatus apply(UUID attemptId, int part, ReceiptStatus status, String errorCode) {
    Key key = new Key(attemptId, part);
    ReceiptStatus current = statuses.getOrDefault(key, ReceiptStatus.SENT);
    ReceiptStatus next = current.then(status);
    if (next != current) {
      statuses.put(key, next);
      updates.put(key, new PartUpdate(attemptId, part, next, errorCode));
    }
    return ofAttempt(attemptId);
  }

  /** The parts whose status changed, each with its last status. */
  List<PartUpdate> updates() {
    return List.copyOf(updates.values());
  }

  /** Any negative part makes the attempt negative; otherwise it is as far as its slowest part. */
  private ReceiptStatus ofAttempt(UUID attemptId) {
    ReceiptStatus slowest = null;
    for (Key key : partsOf.getOrDefault(attemptId, List.of())) {
      ReceiptStatus part = statuses.get(key);
      if (part.isNegative()) {
        return part;
      }
      if (slowest == null || slowest.then(part) == slowest) {
        slowest = part;
      }
    }
    return slowest == null ? ReceiptStatus.SENT : slowest;
  }
}
