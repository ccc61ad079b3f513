package io.cascade.tenant;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this replica recently learnt about key hashes: valid (whose tenant) or unknown. A valid key
 * is remembered for {@code validFor} (5 s by default): that bounds how long a key revoked on
 * another replica keeps working here. An unknown one is remembered for {@code unknownFor}, so a
 * client retrying with a wrong or revoked key costs one database read, not one per request. Both
 * maps are bounded; when one is full it is emptied (a miss only costs a lookup).
 */
final class KeyCache {

  /** A remembered answer: {@code tenantId} null for a key that is not valid. */
  record Known(UUID keyId, UUID tenantId) {
    boolean valid() {
      return tenantId != null;
    }
  }

  private record Entry(Known known, long expiresAtNanos) {}

  private final long validNanos;
  private final long unknownNanos;
  private final int maxEntries;
  private final Map<String, Entry> valid = new ConcurrentHashMap<>();
  private final Map<String, Entry> unknown = new ConcurrentHashMap<>();

  KeyCache(Duration validFor, Duration unknownFor, int maxEntries) {
    this.validNanos = validFor.toNanos();
    this.unknownNanos = unknownFor.toNanos();
    this.maxEntries = maxEntries;
  }

  /** What is remembered of the key hash, or null if nothing (or it expired). */
  Known get(String keyHash, long nowNanos) {
    Entry entry = valid.get(keyHash);
    if (entry == null) {
      entry = unknown.get(keyHash);
    }
    return entry == null || entry.expiresAtNanos() - nowNanos < 0 ? null : entry.known();
  }

  void rememberValid(String keyHash, UUID keyId, UUID tenantId, long nowNanos) {
    put(valid, keyHash, new Known(keyId, tenantId), nowNanos + validNanos);
    unknown.remove(keyHash);
  }

  void rememberUnknown(String keyHash, long nowNanos) {
    put(unknown, keyHash, new Known(null, null), nowNanos + unknownNanos);
  }

  /** The key was revoked here: this replica refuses it at once. */
  void forget(String keyHash) {
    valid.remove(keyHash);
  }

  private void put(Map<String, Entry> map, String keyHash, Known known, long expiresAtNanos) {
    if (map.size() >= maxEntries) {
      map.clear();
    }
    map.put(keyHash, new Entry(known, expiresAtNanos));
  }
}
