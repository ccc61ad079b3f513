package io.cascade.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals webhook signing secrets for storage and opens them again: AES-256-GCM under a key from the
 * configuration, with the tenant's id as associated data, so that a sealed secret copied to another
 * tenant's row does not open. Stored form: {@code sealed:<key id>:<base64url(nonce | ciphertext |
 * tag)>}. A stored value without that prefix is a secret stored before sealing (or with no key
 * configured) and is used as it is.
 */
final class SecretSealer {

  static final String PREFIX = "sealed:";
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A stored secret that no configured key opens (its key was removed, or the row was altered). */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
  private final String current;

  /**
   * From {@code id:base64} entries, the first sealing; fails on a malformed entry, so that a typo
   * stops the service at start rather than sealing with the wrong key.
   */
  SecretSealer(List<String> entries) {
    for (String entry : entries) {
      int colon = entry.indexOf(':');
      String id = colon < 0 ? "" : entry.substring(0, colon).trim();
      if (!KEY_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "cascade.webhooks.secret-keys: each entry is <id>:<base64 of 32 bytes>, the id"
                + " 1-32 letters, digits, '-' or '_'");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        key = new byte[0];
      }
      if (key.length != 32) {
        throw new IllegalArgumentException(
            "cascade.webhooks.secret-keys: key " + id + " is not the base64 of 32 bytes");
      }
      if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
        throw new IllegalArgumentException("cascade.webhooks.secret-keys: key " + id + " twice");
      }
    }
    current = keys.isEmpty() ? null : keys.keySet().iterator().next();
  }

  /** Whether secrets are sealed at all (some key is configured). */
  boolean seals() {
    return current != null;
  }

  /** The form to store; the secret itself when no key is configured. */
  String seal(UUID tenantId, String secret) {
    if (current == null) {
      return secret;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(current), nonce, tenantId);
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] stored = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
      return PREFIX
          + current
          + ":"
          + Base64.getUrlEncoder().withoutPadding().encodeToString(stored);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret of a stored value. */
  String open(UUID tenantId, String stored) throws Unreadable {
    if (!stored.startsWith(PREFIX)) {
      return stored;
    }
    int colon = stored.indexOf(':', PREFIX.length());
    SecretKeySpec key = colon < 0 ? null : keys.get(stored.substring(PREFIX.length(), colon));
    if (key == null) {
      throw new Unreadable("sealed with a key that is not configured");
    }
    try {
      byte[] sealed = Base64.getUrlDecoder().decode(stored.substring(colon + 1));
      if (sealed.length <= NONCE_BYTES) {
        throw new Unreadable("too short");
      }
      Cipher cipher =
          cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(sealed, NONCE_BYTES), tenantId);
      return new String(
          cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Unreadable("does not open: " + e.getClass().getSimpleName());
    }
  }

  /** Whether a stored value is sealed with the key that seals now (nothing to re-seal). */
  boolean isCurrent(String stored) {
    return current == null ? !stored.startsWith(PREFIX) : stored.startsWith(PREFIX + current + ":");
  }

  private static Cipher cipher(int mode, SecretKeySpec key, byte[] nonce, UUID tenantId)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(tenantId.toString().getBytes(StandardCharsets.US_ASCII));
    return cipher;
  }
}
