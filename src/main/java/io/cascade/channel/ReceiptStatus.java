package io.cascade.channel;

import java.util.Locale;

/**
 * What a delivery receipt or status callback says about one message at a provider, in Cascade's
 * terms. Positive statuses only move forward ({@code sent -> delivered -> read}); a negative one
 * ends the story and is taken only while nothing better is known, so a late or repeated receipt
 * never undoes an earlier one. Each name is also the name of the attempt status it leads to.
 */
public enum ReceiptStatus {
  SENT(1),
  DELIVERED(2),
  READ(3),
  UNDELIVERED(-1),
  REJECTED(-1),
  EXPIRED(-1),
  DELETED(-1),
  UNKNOWN(-1);

  private final int rank;

  ReceiptStatus(int rank) {
    this.rank = rank;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
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

  /**
   * The receipt status stored under {@code name} (an attempt's or a part's status, whose names are
   * these); SENT for one that had no receipt yet.
   */
  public static ReceiptStatus of(String name) {
    for (ReceiptStatus status : values()) {
      if (status.name().equals(name)) {
        return status;
      }
    }
    return SENT;
  }
}
