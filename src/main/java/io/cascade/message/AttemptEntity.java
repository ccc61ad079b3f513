package io.cascade.message;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One attempt of one route step over one provider; written before the provider is called. */
@Entity
@Table(name = "attempt")
public class AttemptEntity {

  @Id public UUID id;

  @Column(name = "message_id", nullable = false)
  public UUID messageId;

  @Column(nullable = false)
  public int step;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Channel channel;

  @Column(nullable = false)
  public String provider;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public AttemptStatus status;

  public String error;

  /** Why this attempt ended its step without what the step waits for; null otherwise. */
  @Enumerated(EnumType.STRING)
  public FailoverReason reason;

  /** The provider's id for the message (the first part's for a long SMS). */
  @Column(name = "provider_message_id")
  public String providerMessageId;

  /** How many parts an SMS took. */
  public Integer parts;

  @Column(name = "started_at", nullable = false)
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  /** When the attempt first reached delivered (or read): at once or by a receipt. */
  @Column(name = "delivered_at")
  public Instant deliveredAt;
}
