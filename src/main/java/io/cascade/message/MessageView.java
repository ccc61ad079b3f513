package io.cascade.message;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A message as the API shows it, with every attempt made so far. */
@Schema(name = "Message")
public record MessageView(
    UUID id,
    @Schema(
            enumeration = {
              "accepted",
              "sending",
              "waiting",
              "sent",
              "delivered",
              "failed",
              "expired"
            })
        MessageStatus status,
    String reference,
    @Schema(enumeration = {"high", "normal", "bulk"}) Priority priority,
    String text,
    @Schema(description = "Webhook URL for this message's events, if it has its own")
        String callbackUrl,
    @Schema(description = "The route, with each channel's waitFor and timeoutSeconds filled in")
        List<RouteStep> route,
    @Schema(
            description =
                "What became of each route step, in route order: how far it got and why the"
                    + " cascade moved on")
        List<StepView> steps,
    Instant createdAt,
    Instant updatedAt,
    Instant validUntil,
    @Schema(
            description =
                "Channels of the attempts that were delivered (or read), in the order they were;"
                    + " a late receipt for a step the cascade had left adds its channel after the"
                    + " one that delivered. For a sent message without any such receipt, the"
                    + " channel it was sent by. Empty otherwise")
        List<Channel> deliveredVia,
    @Schema(
            description =
                "While waiting: when the route is tried again (every provider of it failed for now)")
        Instant nextAttemptAt,
    List<AttemptView> attempts) {

  /** One attempt of one route step. */
  @Schema(name = "Attempt")
  public record AttemptView(
      @Schema(description = "Index of the route step it belongs to, from 0") int step,
      Channel channel,
      String provider,
      @Schema(
              enumeration = {
                "sending",
                "sent",
                "delivered",
                "read",
                "undelivered",
                "expired",
                "deleted",
                "unknown",
                "failed",
                "rejected",
                "interrupted"
              })
          AttemptStatus status,
      @Schema(description = "Why it failed, prefixed with the failover reason") String error,
      @Schema(
              description =
                  "Why the cascade moved on from it (to the next provider, step or walk of the"
                      + " route); null if it did not")
          FailoverReason reason,
      @Schema(description = "The provider's id for the message; receipts name it")
          String providerMessageId,
      @Schema(description = "How many parts an SMS took (concatenated SMS)") Integer parts,
      Instant startedAt,
      Instant endedAt) {

    static AttemptView of(AttemptEntity attempt) {
      return new AttemptView(
          attempt.step,
          attempt.channel,
          attempt.provider,
          attempt.status,
          attempt.error,
          attempt.reason,
          attempt.providerMessageId,
          attempt.parts,
          attempt.startedAt,
          attempt.endedAt);
    }
  }

  /** The view of a stored message with its attempts. */
  public static MessageView of(
      MessageEntity message, List<AttemptEntity> attempts, List<RouteStep> effectiveRoute) {
    return new MessageView(
        message.id,
        message.status,
        message.reference,
        message.priority,
        message.text,
        message.callbackUrl,
        effectiveRoute,
        StepView.of(message, attempts),
        message.createdAt,
        message.updatedAt,
        message.validUntil,
        deliveredVia(message, attempts),
        message.status == MessageStatus.WAITING ? message.publishDueAt : null,
        attempts.stream().map(AttemptView::of).toList());
  }

  /**
   * Channels of the delivered (or read) attempts in the order they got there; for a sent message
   * none of whose attempts was delivered, the channel of its last sent attempt.
   */
  static List<Channel> deliveredVia(MessageEntity message, List<AttemptEntity> attempts) {
    List<Channel> delivered =
        attempts.stream()
            .filter(
                attempt ->
                    attempt.status == AttemptStatus.DELIVERED
                        || attempt.status == AttemptStatus.READ)
            .sorted(
                Comparator.comparing(
                        (AttemptEntity attempt) -> attempt.deliveredAt,
                        Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(attempt -> attempt.startedAt))
            .map(attempt -> attempt.channel)
            .toList();
    if (!delivered.isEmpty() || message.status != MessageStatus.SENT) {
      return delivered;
    }
    Channel sentBy = null;
    for (AttemptEntity attempt : attempts) { // in start order
      if (attempt.status == AttemptStatus.SENT) {
        sentBy = attempt.channel;
      }
    }
    return sentBy == null ? List.of() : List.of(sentBy);
  }
}
