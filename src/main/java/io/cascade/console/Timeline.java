package io.cascade.console;

import io.cascade.message.MessageView;
import io.cascade.message.MessageView.AttemptView;
import io.cascade.webhook.WebhookEventResource.EventView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cascade of one message as a list of what happened, oldest first: accepted, each attempt's
 * start and end (with why the cascade moved on), each receipt, each webhook event. No I/O: built
 * from what the store holds, so "why did this OTP go out over WhatsApp?" reads top to bottom.
 */
public final class Timeline {

  /** A receipt matched to one of the message's attempts. */
  public record ReceiptEntry(
      int step, String channel, String provider, String status, String errorCode, Instant at) {}

  /**
   * One thing that happened.
   *
   * @param kind accepted, attempt, attempt-ended, receipt, webhook
   * @param step the route step it belongs to, or null
   * @param status the attempt's or receipt's status, or the webhook event's delivery state
   * @param detail why: the failover reason and error, the receipt's error code, the event type
   */
  public record Entry(
      Instant at,
      String kind,
      Integer step,
      String channel,
      String provider,
      String status,
      String reason,
      String detail) {}

  /** The message, its timeline and its webhook events as the API shows them. */
  public record View(MessageView message, List<Entry> timeline, List<EventView> events) {}

  private Timeline() {}

  public static View of(MessageView message, List<ReceiptEntry> receipts, List<EventView> events) {
    List<Entry> entries = new ArrayList<>();
    entries.add(
        new Entry(
            message.createdAt(),
            "accepted",
            null,
            null,
            null,
            "accepted",
            null,
            "priority " + message.priority().id()));
    for (AttemptView attempt : message.attempts()) {
      String channel = attempt.channel().id();
      entries.add(
          new Entry(
              attempt.startedAt(),
              "attempt",
              attempt.step(),
              channel,
              attempt.provider(),
              "sending",
              null,
              null));
      if (attempt.endedAt() != null) {
        entries.add(
            new Entry(
                attempt.endedAt(),
                "attempt-ended",
                attempt.step(),
                channel,
                attempt.provider(),
                attempt.status().id(),
                attempt.reason() == null ? null : attempt.reason().id(),
                attempt.error()));
      }
    }
    for (ReceiptEntry receipt : receipts) {
      entries.add(
          new Entry(
              receipt.at(),
              "receipt",
              receipt.step(),
              receipt.channel(),
              receipt.provider(),
              receipt.status(),
              null,
              receipt.errorCode()));
    }
    for (EventView event : events) {
      entries.add(
          new Entry(
              event.createdAt(),
              "webhook",
              null,
              null,
              null,
              event.delivery().state(),
              null,
              event.type()));
    }
    entries.sort(Comparator.comparing(Entry::at));
    return new View(message, List.copyOf(entries), events);
  }
}
