package io.cascade.channel.simulator;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a channel's simulator answers. */
public enum SimulatorMode {
  /** Answers {@code delivered}. */
  OK,
  /** Fails with a transient provider error: retried, counts against the circuit. */
  FAIL,
  /** Never answers: the sender's timeout ends the attempt. */
  TIMEOUT,
  /** Refuses the recipient permanently: no retry, next step at once. */
  REJECT;

  static final String NAMES =
      Arrays.stream(values()).map(SimulatorMode::id).collect(Collectors.joining(", "));

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static SimulatorMode fromJson(String id) {
    return Arrays.stream(values())
        .filter(m -> m.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of " + NAMES));
  }
}
