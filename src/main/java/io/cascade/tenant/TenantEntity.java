package io.cascade.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant app allowed to send messages; only the hash of its API key is kept. */
@Entity
@Table(name = "tenant")
public class TenantEntity {

  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  @Column(name = "api_key_hash", nullable = false)
  public String apiKeyHash;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
