package io.cascade.analytics;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The windows analytics cover. */
public enum Window {
  /** The last 60 minutes, to the second. */
  HOUR("1h", Duration.ofHours(1)),
  /** The current hour so far and the 24 whole hours before it. */
  DAY("24h", Duration.ofHours(24)),
  /** The current hour so far and the 168 whole hours before it. */
  WEEK("7d", Duration.ofDays(7));

  /** The labels, for error messages. */
  public static final String LABELS =
      Arrays.stream(values()).map(Window::label).collect(Collectors.joining(", "));

  private final String label;
  private final Duration length;

  Window(String label, Duration length) {
    this.label = label;
    this.length = length;
  }

  public String label() {
    return label;
  }

  /** The window with this label. */
  public static Optional<Window> fromLabel(String label) {
    return Arrays.stream(values()).filter(w -> w.label.equals(label)).findFirst();
  }

  /** Where the window starts when it ends now: whole hours, but for the last hour. */
  Instant start(Instant now) {
    return this == HOUR ? now.minus(length) : now.truncatedTo(ChronoUnit.HOURS).minus(length);
  }
}
