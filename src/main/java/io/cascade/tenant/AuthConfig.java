package io.cascade.tenant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How API keys are checked and how soon a change made on another replica counts here. */
@ConfigMapping(prefix = "cascade.auth")
public interface AuthConfig {

  /** How long a valid key is trusted without a database read: a revocation's delay elsewhere. */
  @WithDefault("5s")
  Duration keyCacheTtl();

  /** How long an unknown key is refused without a database read. */
  @WithDefault("30s")
  Duration unknownKeyTtl();

  /** Most key hashes remembered, valid and unknown each. */
  @WithDefault("10000")
  int keyCacheSize();

  /** How often the set of disabled tenants is read again: a disable's delay elsewhere. */
  @WithDefault("2s")
  Duration tenantRefreshInterval();

  /** Key lookups using the database at once; more wait. */
  @WithDefault("4")
  int maxLookups();

  /** Key lookups waiting their turn; beyond, 503 with Retry-After. */
  @WithDefault("1000")
  int maxQueuedLookups();

  /** Active keys a tenant may hold at once. */
  @WithDefault("20")
  int maxKeysPerTenant();
}
