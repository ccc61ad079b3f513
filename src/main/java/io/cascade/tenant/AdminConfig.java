package io.cascade.tenant;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Access to the admin API. */
@ConfigMapping(prefix = "cascade.admin")
public interface AdminConfig {

  /** Bearer token of the admin API (env {@code CASCADE_ADMIN_TOKEN}); unset disables the API. */
  Optional<String> token();
}
