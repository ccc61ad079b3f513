package io.cascade.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The console's sign-in sessions. */
@ConfigMapping(prefix = "cascade.console")
public interface ConsoleConfig {

  /**
   * Whether the session cookie is {@code Secure} (sent over HTTPS only). Keep it on behind TLS; off
   * only for a console reached over plain http on a developer's machine.
   */
  @WithDefault("true")
  boolean secureCookie();

  /** How long a sign-in lasts at most. */
  @WithDefault("8h")
  Duration sessionTtl();

  /** A session unused for this long is signed out. */
  @WithDefault("30m")
  Duration idleTimeout();
}
