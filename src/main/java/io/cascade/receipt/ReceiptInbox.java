package io.cascade.receipt;

import io.cascade.api.Timestamps;
import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptSink;
import io.cascade.channel.ReceiptStatus;
import io.cascade.core.CascadeCore;
import io.cascade.core.Transition;
import io.cascade.dispatch.AfterCommit;
import io.cascade.message.AttemptStatus;
import io.cascade.observability.CascadeMetrics;
import io.cascade.store.GroupCommit;
import io.cascade.store.MessageStore;
import io.cascade.store.ReceiptStore;
import io.cascade.store.ReceiptStore.Candidate;
import io.cascade.store.ReceiptStore.Lookup;
import io.cascade.store.ReceiptStore.Stored;
import io.cascade.store.StoreConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stores delivery receipts and applies them to their attempts. A receipt is committed before the
 * provider gets its answer (callers wait for {@link #accept}), so a receipt the provider considers
 * handed over is never lost. Concurrent receipts share transactions through a {@link GroupCommit},
 * as claims and outcomes do: under load one commit stores and applies many receipts with a few
 * set-based statements. A receipt is matched at once to the part its provider message id names when
 * that part is known (which one, when an SMSC reused the id: {@link ReceiptTarget}); a receipt that
 * overtook the provider's answer to the send is kept unmatched and applied as soon as the
 * provider's answer is stored ({@link #idsStored}); should that be missed (the answer was stored by
 * another replica, or just before the receipt committed), {@link #matchPending} tries it again
 * after 1 s, 2 s, 4 s ... for as long as a part registered later could still be its own (twice
 * {@link #OVERTAKE_LIMIT}), so that receipts for ids Cascade never sent, and repeats of receipts
 * already applied, cost a handful of tries.
 *
 * <p>Applying is monotonic per SMS part and per attempt (see {@link PartReceipts}): the message
 * rows are locked in id order before the parts are read, so receipts for the parts of one long SMS
 * never race each other and two batches never deadlock. What a receipt does to the message
 * (delivered, the next step, a double delivery) is the {@link CascadeCore}'s to say.
 *
 * <p>Uses the SQL client directly, not a Hibernate session: receipts arrive on protocol threads
 * (SMPP) that have no Vert.x context.
 */
@ApplicationScoped
public class ReceiptInbox implements ReceiptSink {

  private static final Logger LOG = Logger.getLogger(ReceiptInbox.class);
  // How long after a receipt a part may be registered and still be the one it names. A receipt
  // overtakes the stored answer to its send by milliseconds (both wait for the same database), so
  // a part registered later is a newer send that reused the id, not this receipt's. It also bounds
  // how long stored ids are looked up for this replica's unmatched receipts (idsStored).
  private static final Duration OVERTAKE_LIMIT = Duration.ofSeconds(60);
  // Unmatched receipts are tried again until then: with the retries doubling, the last one comes
  // after the latest registration that could still be the receipt's part.
  private static final Duration RETRY_FOR = OVERTAKE_LIMIT.multipliedBy(2);

  private final Pool database;
  private final ReceiptStore receipts;
  private final MessageStore messages;
  private final CascadeCore core;
  private final AfterCommit afterCommit;
  private final CascadeMetrics metrics;
  private final GroupCommit<Receipt, Optional<Transition>> inbound;
  private final GroupCommit<ProviderMessageId, Boolean> overtaken;
  private final Duration matchWindow;
  private volatile long lastUnmatchedNanos = System.nanoTime() - OVERTAKE_LIMIT.toNanos();

  ReceiptInbox(
      Pool database,
      ReceiptStore receipts,
      MessageStore messages,
      CascadeCore core,
      AfterCommit afterCommit,
      CascadeMetrics metrics,
      StoreConfig config,
      @ConfigProperty(name = "cascade.receipts.match-window", defaultValue = "24h")
          Duration matchWindow) {
    this.database = database;
    this.receipts = receipts;
    this.messages = messages;
    this.core = core;
    this.afterCommit = afterCommit;
    this.metrics = metrics;
    this.matchWindow = matchWindow;
    this.inbound = new GroupCommit<>(this::acceptAll, config.maxBatch(), config.maxInFlight());
    this.overtaken = new GroupCommit<>(this::matchOvertaken, config.maxBatch(), 1);
  }

  @Override
  public Uni<Void> accept(Receipt receipt) {
    return inbound
        .submit(receipt)
        .invoke(() -> metrics.receipt(receipt.provider(), receipt.status().id()))
        .invoke(
            applied -> {
              if (applied.isPresent()) {
                afterCommit.run(applied.get());
              } else {
                lastUnmatchedNanos = System.nanoTime();
              }
            })
        .replaceWithVoid();
  }

  @Override
  public void idsStored(List<ProviderMessageId> ids) {
    if (ids.isEmpty() || System.nanoTime() - lastUnmatchedNanos > OVERTAKE_LIMIT.toNanos()) {
      return; // no receipt overtook a send here lately: nothing to look for
    }
    for (ProviderMessageId id : ids) {
      overtaken
          .submit(id)
          .subscribe()
          .with(
              ignored -> {},
              failure -> LOG.debugf("overtaken receipts left to the matcher: %s", failure));
    }
  }

  /** Applies the unmatched receipts that name these ids, in one transaction. */
  private Uni<List<Boolean>> matchOvertaken(List<ProviderMessageId> ids) {
    List<Lookup> lookups = ids.stream().map(id -> lookup(id.provider(), id.id(), null)).toList();
    return database
        .withTransaction(
            connection ->
                receipts
                    .claimUnmatched(connection, lookups, OVERTAKE_LIMIT)
                    .flatMap(claimed -> applyClaimed(connection, claimed)))
        .map(
            applied -> {
              applied.forEach(transition -> transition.ifPresent(afterCommit::run));
              return ids.stream().map(id -> true).toList();
            });
  }

  /** Stores and applies a batch of receipts in one transaction; results in their order. */
  private Uni<List<Optional<Transition>>> acceptAll(List<Receipt> batch) {
    List<Stored> stored =
        batch.stream().map(receipt -> new Stored(UUID.randomUUID(), receipt, null)).toList();
    return database.withTransaction(
        connection ->
            applyAll(
                connection,
                stored,
                attemptIds -> receipts.insertAll(connection, stored, attemptIds)));
  }

  /**
   * Applies stored receipts that were not matched yet and whose attempt is now known, up to {@code
   * limit} in one transaction; receipts another replica holds are skipped, and those older than
   * {@link #RETRY_FOR} are left alone (no part can be theirs any more; they stay visible in the
   * table). The number matched.
   */
  public Uni<Integer> matchPending(int limit) {
    return database
        .withTransaction(
            connection ->
                receipts
                    .claimPending(connection, RETRY_FOR, limit)
                    .flatMap(pending -> applyClaimed(connection, pending)))
        .map(
            applied -> {
              applied.forEach(transition -> transition.ifPresent(afterCommit::run));
              return (int) applied.stream().filter(Optional::isPresent).count();
            });
  }

  /** Applies stored receipts this transaction holds; those still unmatched try again later. */
  private Uni<List<Optional<Transition>>> applyClaimed(
      SqlConnection connection, List<Stored> claimed) {
    if (claimed.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return applyAll(
        connection, claimed, attemptIds -> recordMatches(connection, claimed, attemptIds));
  }

  private Uni<Void> recordMatches(
      SqlConnection connection, List<Stored> pending, List<UUID> attemptIds) {
    List<UUID> matched = new ArrayList<>();
    List<UUID> matchedTo = new ArrayList<>();
    List<UUID> unmatched = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      if (attemptIds.get(i) == null) {
        unmatched.add(pending.get(i).id());
      } else {
        matched.add(pending.get(i).id());
        matchedTo.add(attemptIds.get(i));
      }
    }
    return Uni.combine()
        .all()
        .unis(
            receipts.markMatched(connection, matched, matchedTo),
            receipts.matchLater(connection, unmatched))
        .discardItems();
  }

  /**
   * Applies receipts to their parts and attempts in the caller's transaction: finds the part each
   * is for ({@link ReceiptTarget}), locks their messages, moves the parts and lets the core decide
   * on each message. {@code record} is given the attempt each receipt was applied to (null where
   * none is known yet) and writes that down. Per receipt: empty when it matched no attempt, else
   * what it did to the message.
   */
  private Uni<List<Optional<Transition>>> applyAll(
      SqlConnection connection, List<Stored> batch, Function<List<UUID>, Uni<Void>> record) {
    List<Lookup> lookups =
        batch.stream()
            .map(
                stored ->
                    lookup(
                        stored.receipt().provider(),
                        stored.receipt().providerMessageId(),
                        stored.receivedAt()))
            .toList();
    return receipts
        .findCandidates(connection, lookups, matchWindow, OVERTAKE_LIMIT)
        .map(candidates -> targets(batch, candidates))
        .flatMap(
            parts -> {
              UUID[] attemptIds = new UUID[batch.size()];
              parts.forEach((index, part) -> attemptIds[index] = part.attemptId());
              if (parts.isEmpty()) {
                return record
                    .apply(Arrays.asList(attemptIds))
                    .replaceWith(batch.stream().map(r -> Optional.<Transition>empty()).toList());
              }
              TreeSet<UUID> messageIds = new TreeSet<>();
              TreeSet<UUID> attempts = new TreeSet<>();
              parts.values().forEach(part -> messageIds.add(part.messageId()));
              parts.values().forEach(part -> attempts.add(part.attemptId()));
              return receipts
                  .lockAndReadParts(connection, messageIds, attempts)
                  .flatMap(
                      stored ->
                          applyToParts(
                              connection,
                              batch,
                              parts,
                              new PartReceipts(stored),
                              record.apply(Arrays.asList(attemptIds))));
            });
  }

  /** A provider's id in every form a receipt or a stored answer may give it. */
  private static Lookup lookup(String provider, String id, Instant receivedAt) {
    return new Lookup(provider, ProviderMessageIds.forms(id), receivedAt);
  }

  /** The part each receipt is for, by the receipt's index; receipts for none are left out. */
  private static Map<Integer, Candidate> targets(
      List<Stored> batch, Map<Integer, List<Candidate>> candidates) {
    Map<Integer, Candidate> targets = new HashMap<>();
    candidates.forEach(
        (index, options) ->
            ReceiptTarget.of(batch.get(index).receipt(), options)
                .ifPresent(target -> targets.put(index, target)));
    return targets;
  }

  private Uni<List<Optional<Transition>>> applyToParts(
      SqlConnection connection,
      List<Stored> batch,
      Map<Integer, Candidate> parts,
      PartReceipts partReceipts,
      Uni<Void> recorded) {
    Instant now = Timestamps.now();
    List<MessageStore.Change> changes = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Candidate part = parts.get(i);
      if (part == null) {
        continue;
      }
      Receipt receipt = batch.get(i).receipt();
      ReceiptStatus attemptStatus =
          partReceipts.apply(part.attemptId(), part.part(), receipt.status(), receipt.errorCode());
      CascadeCore.Receipt event =
          new CascadeCore.Receipt(
              now,
              part.attemptId(),
              AttemptStatus.valueOf(attemptStatus.name()),
              receipt.errorCode());
      changes.add(new MessageStore.Change(part.messageId(), s -> core.receipt(s, event)));
    }
    // Pipelined on the one connection: the part updates, the receipts' rows and the messages'
    // reads.
    Uni<Void> partsUpdated = receipts.updateParts(connection, partReceipts.updates());
    Uni<List<Transition>> changed = messages.changeAll(connection, changes);
    return Uni.combine()
        .all()
        .unis(partsUpdated, recorded, changed)
        .with(
            (ignored, alsoIgnored, transitions) -> {
              List<Optional<Transition>> results = new ArrayList<>();
              int next = 0;
              for (int i = 0; i < batch.size(); i++) {
                results.add(
                    parts.containsKey(i) ? Optional.of(transitions.get(next++)) : Optional.empty());
              }
              return results;
            });
  }
}
