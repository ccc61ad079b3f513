package io.cascade.channel;

import java.util.Locale;

/** How a provider stands by for the traffic of its channel. */
public enum Standby {
  /** Connected at start-up and sharing the channel's traffic with the other hot ones by weight. */
  HOT,
  /** Connected at start-up, used only when the providers before it are unavailable. */
  WARM,
  /** Not connected until needed: connects on first use, after the hot and warm ones. */
  COLD;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
