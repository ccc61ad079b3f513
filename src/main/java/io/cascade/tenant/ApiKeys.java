package io.cascade.tenant;

import io.cascade.api.Digests;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Creates and hashes API keys. Keys carry 256 random bits, so a plain SHA-256 is enough to make the
 * stored hash useless to a thief and keeps the per-request check cheap (no slow KDF needed).
 */
final class ApiKeys {

  private static final String PREFIX = "csk_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String hash(String key) {
    return Digests.sha256Hex(key);
  }
}
