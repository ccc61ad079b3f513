package io.cascade.channel.simulator;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The behaviour of one channel's simulator. */
@Schema(description = "How a channel's simulator answers")
public record SimulatorSettings(
    @NotNull @Schema(description = "ok, fail, timeout or reject", required = true)
        SimulatorMode mode,
    @Min(0) @Max(60_000) @Schema(description = "Delay before the answer, 0-60000 ms; default 0")
        Integer latencyMs) {

  public SimulatorSettings {
    latencyMs = latencyMs == null ? 0 : latencyMs;
  }
}
