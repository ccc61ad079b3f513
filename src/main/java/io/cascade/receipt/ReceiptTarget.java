package io.cascade.receipt;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import io.cascade.store.ReceiptStore.Candidate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which stored part a receipt is for, without I/O. SMSCs reuse message ids (a counter that wraps or
 * restarts, ids numbered per bind), so an id may name several parts; the candidates are the parts
 * of the receipt's provider registered under one of the id's forms within the match window. In
 * order:
 *
 * <ol>
 *   <li>the id as given (in any case) wins over its hex/decimal twins, and a twin counts only when
 *       exactly one stored id is a twin: two would be a guess;
 *   <li>parts registered by the session the receipt came on win; only when that session issued none
 *       are other sessions' parts considered (a receipt delivered after a rebind, or to another
 *       replica's bind, for a part sent before);
 *   <li>only a part this receipt can still change: one that had no receipt yet, or whose status the
 *       receipt moves on. A receipt repeating what a settled part already says may be for a newer
 *       part whose registration it overtook, so it waits for that rather than being spent on the
 *       old one;
 *   <li>the most recently registered of those.
 * </ol>
 *
 * Empty when no part qualifies: the receipt is kept and tried again as parts are registered.
 */
final class ReceiptTarget {

  private static final Comparator<Candidate> NEWEST_FIRST =
      Comparator.comparing(Candidate::registeredAt)
          .thenComparing(Candidate::attemptId)
          .thenComparing(Candidate::part)
          .reversed();

  private ReceiptTarget() {}

  static Optional<Candidate> of(Receipt receipt, List<Candidate> candidates) {
    List<Candidate> sameId =
        candidates.stream()
            .filter(c -> c.providerMessageId().equalsIgnoreCase(receipt.providerMessageId()))
            .toList();
    if (sameId.isEmpty()) {
      Set<String> twins =
          candidates.stream()
              .map(c -> c.providerMessageId().toLowerCase(Locale.ROOT))
              .collect(Collectors.toSet());
      if (twins.size() != 1) {
        return Optional.empty();
      }
      sameId = candidates;
    }
    List<Candidate> sameSession =
        sameId.stream().filter(c -> c.session().equals(receipt.session())).toList();
    List<Candidate> issuers = sameSession.isEmpty() ? sameId : sameSession;
    return issuers.stream().filter(c -> canChange(c.status(), receipt.status())).min(NEWEST_FIRST);
  }

  private static boolean canChange(ReceiptStatus part, ReceiptStatus receipt) {
    return part == ReceiptStatus.SENT || part.then(receipt) != part;
  }
}
