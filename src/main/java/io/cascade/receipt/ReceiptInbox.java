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
import io.cascade.store.MessageStore;
import io.cascade.store.ReceiptStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Stores delivery receipts and applies them to their attempts. A receipt is committed before the
 * provider gets its answer (callers wait for {@link #accept}), so a receipt the provider considers
 * handed over is never lost. It is matched to the attempt that holds its provider message id at
 * once when that id is known; a receipt that overtook the provider's answer to the send is kept
 * unmatched and {@link #matchPending} tries it again, after 1 s, 2 s, 4 s ... (at most 5 min
 * apart), so that receipts for ids Cascade never sent cost little.
 *
 * <p>Applying is monotonic per SMS part and per attempt (see {@link ReceiptStatus#then}): the
 * message row is locked before the parts are read, so receipts for the parts of one long SMS never
 * race each other. The attempt is delivered when every part is; any negative part makes it
 * negative. What that does to the message (delivered, the next step, a double delivery) is the
 * {@link CascadeCore}'s to say.
 *
 * <p>Uses the SQL client directly, not a Hibernate session: receipts arrive on protocol threads
 * (SMPP) that have no Vert.x context.
 */
@ApplicationScoped
public class ReceiptInbox implements ReceiptSink {

  private final Pool database;
  private final ReceiptStore receipts;
  private final MessageStore messages;
  private final CascadeCore core;
  private final AfterCommit afterCommit;
  private final CascadeMetrics metrics;

  ReceiptInbox(
      Pool database,
      ReceiptStore receipts,
      MessageStore messages,
      CascadeCore core,
      AfterCommit afterCommit,
      CascadeMetrics metrics) {
    this.database = database;
    this.receipts = receipts;
    this.messages = messages;
    this.core = core;
    this.afterCommit = afterCommit;
    this.metrics = metrics;
  }

  @Override
  public Uni<Void> accept(Receipt receipt) {
    UUID id = UUID.randomUUID();
    return database
        .withTransaction(
            connection ->
                receipts
                    .insert(
                        connection,
                        id,
                        receipt.provider(),
                        receipt.providerMessageId(),
                        receipt.status().name(),
                        receipt.errorCode())
                    .flatMap(inserted -> apply(connection, id, receipt)))
        .invoke(() -> metrics.receipt(receipt.provider(), receipt.status().id()))
        .invoke(applied -> applied.ifPresent(afterCommit::run))
        .replaceWithVoid();
  }

  /**
   * Applies stored receipts that were not matched yet and whose attempt is now known, each in a
   * transaction of its own (so a batch never holds one message's lock while waiting for another's);
   * receipts older than {@code maxAgeSeconds} are left alone (unknown ids stay visible in the
   * table).
   */
  public Uni<Integer> matchPending(long maxAgeSeconds, int limit) {
    return database
        .withConnection(connection -> receipts.pending(connection, maxAgeSeconds, limit))
        .flatMap(
            ids -> {
              Uni<Integer> matched = Uni.createFrom().item(0);
              for (UUID id : ids) {
                matched = matched.flatMap(count -> matchOne(id).map(ok -> ok ? count + 1 : count));
              }
              return matched;
            });
  }

  private Uni<Boolean> matchOne(UUID receiptId) {
    return database
        .withTransaction(
            connection ->
                receipts
                    .claimUnmatched(connection, receiptId)
                    .flatMap(
                        stored -> {
                          if (stored == null) {
                            return Uni.createFrom().item(Optional.<Optional<Transition>>empty());
                          }
                          Receipt receipt =
                              new Receipt(
                                  stored.provider(),
                                  stored.providerMessageId(),
                                  ReceiptStatus.valueOf(stored.status()),
                                  stored.errorCode());
                          return apply(connection, receiptId, receipt)
                              .call(
                                  applied ->
                                      applied.isPresent()
                                          ? Uni.createFrom().voidItem()
                                          : receipts.matchLater(connection, receiptId))
                              .map(Optional::of);
                        }))
        .map(
            result -> {
              result.flatMap(applied -> applied).ifPresent(afterCommit::run);
              return result.map(Optional::isPresent).orElse(false);
            });
  }

  /**
   * Applies one stored receipt to its part and attempt; empty when no attempt holds its id yet,
   * else what it did to the message.
   */
  private Uni<Optional<Transition>> apply(
      SqlConnection connection, UUID receiptId, Receipt receipt) {
    String[] forms = ProviderMessageIds.forms(receipt.providerMessageId()).toArray(String[]::new);
    return receipts
        .findPart(connection, receipt.provider(), forms, receipt.providerMessageId())
        .flatMap(
            part -> {
              if (part == null) {
                return Uni.createFrom().item(Optional.<Transition>empty());
              }
              return receipts
                  .lockMessage(connection, part.messageId())
                  .flatMap(locked -> applyToPart(connection, receipt, part.providerMessageId()))
                  .flatMap(updated -> receipts.attemptParts(connection, part.attemptId()))
                  .flatMap(
                      parts -> {
                        ReceiptStatus derived = ofParts(parts);
                        return messages.changeAll(
                            connection,
                            List.of(
                                new MessageStore.Change(
                                    part.messageId(),
                                    snapshot ->
                                        core.receipt(
                                            snapshot,
                                            new CascadeCore.Receipt(
                                                Timestamps.now(),
                                                part.attemptId(),
                                                AttemptStatus.valueOf(derived.name()),
                                                receipt.errorCode())))));
                      })
                  .call(ignored -> receipts.markMatched(connection, receiptId, part.attemptId()))
                  .map(changed -> Optional.of(changed.get(0)));
            });
  }

  private Uni<Void> applyToPart(SqlConnection connection, Receipt receipt, String partId) {
    return receipts
        .partStatus(connection, receipt.provider(), partId)
        .flatMap(
            stored -> {
              ReceiptStatus current = ReceiptStatus.of(stored);
              ReceiptStatus next = current.then(receipt.status());
              return receipts.updatePart(
                  connection,
                  receipt.provider(),
                  partId,
                  next.name(),
                  next == current ? null : receipt.errorCode());
            });
  }

  /** Any negative part makes the attempt negative; otherwise it is as far as its slowest part. */
  private static ReceiptStatus ofParts(List<String> parts) {
    ReceiptStatus slowest = null;
    for (String stored : parts) {
      ReceiptStatus part = ReceiptStatus.of(stored);
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
