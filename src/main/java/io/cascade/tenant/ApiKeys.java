package io.cascade.tenant;

import io.cascade.api.Digests;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Creates and hashes API keys. Keys carry 256 random bits, so a plain SHA-256 is enough to make the
 * stored hash useless to a thief and keeps the per-request check cheap (no slow KDF needed).
 */
final class ApiKeys {

  private static final String PREFIX = "csk_";
  private static final Pattern SHAPE = Pattern.compile("csk_[A-Za-z0-9_-]{43}");
  private static final int SHOWN = PREFIX.length() + 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether {@code key} has the shape of a key this service hands out: others cost no lookup. */
  static boolean wellFormed(String key) {
    return SHAPE.matcher(key).matches();
  }

  /** The start of a key shown in listings (48 of its 256 bits). */
  static String prefix(String key) {
    return key.substring(0, SHOWN);
  }

  static String hash(String key) {
    return Digests.sha256Hex(key);
  }
}
