package io.cascade.tenant;

import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/** The tenant the current request was authenticated as. */
@RequestScoped
public class CurrentTenant {

  private UUID id;

  void set(UUID id) {
    this.id = id;
  }

  /** The authenticated tenant's id; tenant endpoints are only reached after authentication. */
  public UUID id() {
    if (id == null) {
      throw new IllegalStateException("request was not authenticated as a tenant");
    }
    return id;
  }
}
