package io.cascade.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Delivery of webhook events to tenants. */
@ConfigMapping(prefix = "cascade.webhooks")
public interface WebhookConfig {

  /** How often due events are claimed. */
  @WithDefault("1s")
  Duration pollInterval();

  /**
   * Longest a delivery may take, connect and answer together (a deadline, not an idle timeout: an
   * endpoint that trickles bytes is cut off at it).
   */
  @WithDefault("5s")
  Duration timeout();

  /** Wait before the first retry; doubles per attempt, ±20 % jitter. */
  @WithDefault("5s")
  Duration retryDelay();

  /** Longest wait between two attempts (unless the endpoint's Retry-After asks for more). */
  @WithDefault("1h")
  Duration retryMaxDelay();

  /** Attempts fall due until this long after the event happened (the last at that moment). */
  @WithDefault("24h")
  Duration maxAge();

  /** Longest wait an endpoint's Retry-After gets; a longer one is shortened to this. */
  @WithDefault("1h")
  Duration retryAfterMax();

  /** How long a replica owns a claimed event; must exceed the timeout. */
  @WithDefault("60s")
  Duration claimLease();

  /** Deliveries in flight per tenant and replica, so one slow endpoint cannot hog the rest. */
  @WithDefault("4")
  int perTenantConcurrency();

  /** Deliveries in flight per replica, all tenants together. */
  @WithDefault("64")
  int maxConcurrency();

  /**
   * Keys that seal the signing secrets at rest, {@code id:base64} of 32 random bytes each, comma
   * separated: the first seals, every one opens (so the first can be replaced: see
   * docs/security.md). None: secrets are stored as they are, with a warning at start.
   */
  Optional<List<String>> secretKeys();
}
