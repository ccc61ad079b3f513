package io.cascade.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One API key of a tenant: its hash and the start of it, never the key itself. */
@Entity
@Table(name = "api_key")
public class ApiKeyEntity {

  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Column(name = "key_hash", nullable = false)
  public String keyHash;

  /** The start of the key, for people to tell their keys apart. */
  @Column(nullable = false)
  public String prefix;

  @Column(nullable = false)
  public String name;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /** Within a minute: it is written when a replica looks the key up, not on every request. */
  @Column(name = "last_used_at")
  public Instant lastUsedAt;

  @Column(name = "revoked_at")
  public Instant revokedAt;
}
