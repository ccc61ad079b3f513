package io.cascade.channel.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Start-up behaviour of the built-in simulator providers. */
@ConfigMapping(prefix = "cascade.simulator")
public interface SimulatorConfig {

  /** Mode every channel's simulator starts in. */
  @WithDefault("ok")
  String mode();

  /** Delay in milliseconds before every simulated answer. */
  @WithDefault("20")
  int latencyMs();
}
