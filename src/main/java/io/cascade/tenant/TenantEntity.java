package io.cascade.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant app allowed to send messages (its API keys are {@link ApiKeyEntity} rows). */
@Entity
@Table(name = "tenant")
public class TenantEntity {

  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /** When an admin disabled it; null while it is enabled. */
  @Column(name = "disabled_at")
  public Instant disabledAt;

  /** Its own rate on POST /v1/messages; null: the configured default. */
  @Column(name = "messages_per_second")
  public Integer messagesPerSecond;

  /** Its messages a UTC day; null: no quota. */
  @Column(name = "daily_quota")
  public Long dailyQuota;
}
