package io.cascade.receipt;

import io.cascade.message.AttemptStatus;
import java.util.Locale;

/**
 * What a delivery receipt or status callback says about one message at a provider, in Cascade's
 * terms. Positive statuses only move forward ({@code sent -> delivered -> read}); a negative one
 * ends the story and is taken only while nothing better is known, so a late or repeated receipt
 * never undoes an earlier one.
 */
public enum ReceiptStatus {
  SENT(AttemptStatus.SENT, 1),
  DELIVERED(AttemptStatus.DELIVERED, 2),
  READ(AttemptStatus.READ, 3),
  UNDELIVERED(AttemptStatus.UNDELIVERED, -1),
  REJECTED(AttemptStatus.REJECTED, -1),
  EXPIRED(AttemptStatus.EXPIRED, -1),
  DELETED(AttemptStatus.DELETED, -1),
  UNKNOWN(AttemptStatus.UNKNOWN, -1);

  private final AttemptStatus attemptStatus;
  private final int rank;

  ReceiptStatus(AttemptStatus attemptStatus, int rank) {
    this.attemptStatus = attemptStatus;
    this.rank = rank;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public AttemptStatus attemptStatus() {
    return attemptStatus;
  }

  public boolean isNegative() {
    return rank < 0;
  }

  /** The status after {@code incoming} arrives on top of this one. */
  public ReceiptStatus then(ReceiptStatus incoming) {
    if (isNegative()) {
      return this; // the first terminal receipt wins
    }
    if (incoming.isNegative()) {
      return this == SENT ? incoming : this; // a delivered message stays delivered
    }
    return incoming.rank > rank ? incoming : this;
  }

  /** The receipt status an attempt status stands for; SENT for one that had no receipt yet. */
  static ReceiptStatus of(String attemptStatusName) {
    for (ReceiptStatus status : values()) {
      if (status.attemptStatus.name().equals(attemptStatusName)) {
        return status;
      }
    }
    return SENT;
  }
}
