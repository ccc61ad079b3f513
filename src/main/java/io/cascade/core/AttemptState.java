package io.cascade.core;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.message.AttemptStatus;
import java.time.Instant;
import java.util.UUID;

/** One attempt of one route step over one provider, as stored. Changes make copies. */
public record AttemptState(
    UUID id,
    UUID messageId,
    int step,
    Channel channel,
    String provider,
    AttemptStatus status,
    String error,
    FailoverReason reason,
    String providerMessageId,
    Integer parts,
    Instant startedAt,
    Instant endedAt,
    Instant deliveredAt) {

  /** A new attempt of {@code step}, being sent now. */
  static AttemptState sending(
      UUID id, UUID messageId, int step, Channel channel, String provider, Instant now) {
    return new AttemptState(
        id,
        messageId,
        step,
        channel,
        provider,
        AttemptStatus.SENDING,
        null,
        null,
        null,
        null,
        now,
        null,
        null);
  }

  /** Whether a receipt or the provider said it reached the recipient. */
  public boolean reachedRecipient() {
    return status == AttemptStatus.DELIVERED || status == AttemptStatus.READ;
  }

  AttemptState ended(AttemptStatus next, FailoverReason why, String message, Instant now) {
    return new AttemptState(
        id,
        messageId,
        step,
        channel,
        provider,
        next,
        message,
        why,
        providerMessageId,
        parts,
        startedAt,
        now,
        deliveredAt);
  }

  AttemptState accepted(
      AttemptStatus next, String providerId, Integer partCount, Instant delivered, Instant now) {
    return new AttemptState(
        id,
        messageId,
        step,
        channel,
        provider,
        next,
        error,
        reason,
        providerId,
        partCount,
        startedAt,
        now,
        delivered);
  }

  AttemptState noted(FailoverReason why, String message) {
    return new AttemptState(
        id,
        messageId,
        step,
        channel,
        provider,
        status,
        message,
        why,
        providerMessageId,
        parts,
        startedAt,
        endedAt,
        deliveredAt);
  }

  AttemptState receipted(AttemptStatus next, String message, Instant delivered) {
    return new AttemptState(
        id,
        messageId,
        step,
        channel,
        provider,
        next,
        message,
        reason,
        providerMessageId,
        parts,
        startedAt,
        endedAt,
        delivered);
  }
}
