package io.cascade.outbound;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Calls to URLs that tenants choose (webhooks, callback URLs): where they may go. */
@ConfigMapping(prefix = "cascade.outbound")
public interface OutboundConfig {

  /**
   * Whether tenant URLs may be plain {@code http}; {@code https} only otherwise. For development.
   */
  @WithDefault("false")
  boolean allowHttp();

  /**
   * Address blocks ({@code 10.20.0.0/16}, {@code 127.0.0.1}) and host names ({@code
   * hooks.internal}, {@code *.corp.example}) that tenant URLs may reach although they are not
   * public: for private deployments and tests.
   */
  Optional<List<String>> allow();

  /**
   * DNS servers ({@code host:port}) asked for the addresses of tenant hosts, in order, instead of
   * the system's resolver.
   */
  Optional<List<String>> dnsServers();

  /** Longest wait for a tenant host's addresses. */
  @WithDefault("2s")
  Duration resolveTimeout();
}
