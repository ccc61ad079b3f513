package io.cascade.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers recently verified API keys (by hash) for a minute, so that a busy tenant's requests do
 * not each cost a database read. Only valid keys are remembered; keys cannot be revoked yet, and
 * when they can, this TTL bounds how long a revoked key keeps working on a replica.
 */
@ApplicationScoped
public class KnownKeys {

  static final Duration TTL = Duration.ofMinutes(1);
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(UUID tenantId, long expiresAtNanos) {}

  private final Map<String, Entry> byKeyHash = new ConcurrentHashMap<>();

  /** The tenant of a recently verified key hash, or null. */
  UUID tenantOf(String keyHash) {
    Entry entry = byKeyHash.get(keyHash);
    if (entry == null || entry.expiresAtNanos() - System.nanoTime() < 0) {
      return null;
    }
    return entry.tenantId();
  }

  void remember(String keyHash, UUID tenantId) {
    if (byKeyHash.size() >= MAX_ENTRIES) {
      byKeyHash.clear(); // crude but bounded; a miss only costs one database read
    }
    byKeyHash.put(keyHash, new Entry(tenantId, System.nanoTime() + TTL.toNanos()));
  }
}
