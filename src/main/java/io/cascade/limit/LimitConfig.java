package io.cascade.limit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits on {@code POST /v1/messages} ({@code cascade.limits.*}). */
@ConfigMapping(prefix = "cascade.limits")
public interface LimitConfig {

  /** Requests a second per tenant, over all replicas, for tenants without their own rate. */
  @WithDefault("1000")
  int messagesPerSecond();

  /** How often each replica publishes its counts and reads the others'. */
  @WithDefault("100ms")
  Duration syncInterval();
}
