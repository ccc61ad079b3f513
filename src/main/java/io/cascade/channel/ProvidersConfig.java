package io.cascade.channel;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which provider serves each channel that has a choice. */
@ConfigMapping(prefix = "cascade.providers")
public interface ProvidersConfig {

  /** {@code simulator} (built in) or {@code smtp} (the server under {@code quarkus.mailer.*}). */
  @WithDefault("simulator")
  String email();
}
