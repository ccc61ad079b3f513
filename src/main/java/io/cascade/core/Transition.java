package io.cascade.core;

import io.cascade.channel.Channel;
import io.cascade.channel.SendOutcome;
import io.cascade.message.MessageStatus;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one event does to a message: the rows to write in the event's transaction and what to do
 * once it committed. Built by {@link CascadeCore}; written by the store; nothing else decides.
 *
 * @param message the message's new state, or null when it is unchanged
 * @param attempts new or changed attempts
 * @param providerIds provider ids to register for receipts (one per SMS part)
 * @param events webhook events to record, in order
 * @param metrics what to count after the commit
 * @param publish publish the message right after the commit (the outbox relay takes over at its
 *     {@code publishDueAt} if that is not confirmed)
 * @param send the attempt to send now, after the commit (a claim)
 * @param dispatchAgain dispatch the message again after the commit, skipping these providers of its
 *     current step; null for no
 */
public record Transition(
    MessageState message,
    List<AttemptState> attempts,
    List<ProviderId> providerIds,
    List<Event> events,
    List<Metric> metrics,
    boolean publish,
    AttemptState send,
    Set<String> dispatchAgain) {

  public Transition {
    attempts = List.copyOf(attempts);
    providerIds = List.copyOf(providerIds);
    events = List.copyOf(events);
    metrics = List.copyOf(metrics);
    dispatchAgain = dispatchAgain == null ? null : Set.copyOf(dispatchAgain);
  }

  /** Nothing changes and nothing follows. */
  public static Transition none() {
    return new Transition(null, List.of(), List.of(), List.of(), List.of(), false, null, null);
  }

  /** A webhook event: its type and its {@code data} object. */
  public record Event(EventType type, Map<String, String> data) {
    public Event {
      data = Collections.unmodifiableMap(new LinkedHashMap<>(data)); // keeps the key order
    }
  }

  /**
   * An id the provider (in {@code session}, see {@link SendOutcome.Sent}) gave part {@code part} of
   * an attempt.
   */
  public record ProviderId(
      String provider, String session, String providerMessageId, UUID attemptId, int part) {}

  /** Something to count once the transition committed. */
  public sealed interface Metric {
    /** An attempt ended with {@code status}. */
    record AttemptEnded(Channel channel, String provider, String status) implements Metric {}

    /** The cascade moved from one channel's step to the next's. */
    record Failover(String from, String to, String reason) implements Metric {}

    /** A provider failed a step and the next provider of its channel takes it. */
    record ProviderFailover(Channel channel, String provider, String reason) implements Metric {}

    /** The message reached a status the cascade ends with. */
    record Final(MessageStatus status, Instant acceptedAt) implements Metric {}

    /** Every open step failed for now: the route is walked again later. */
    record RouteWait(String reason) implements Metric {}

    /** A late receipt delivered a step after another step had delivered the message. */
    record DoubleDelivery(String first, String second) implements Metric {}
  }

  /** A changed message's id (its new state, or null). */
  public UUID messageId() {
    return message == null ? null : message.id();
  }
}
