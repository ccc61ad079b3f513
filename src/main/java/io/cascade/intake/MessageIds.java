package io.cascade.intake;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Creates UUIDv7 message ids (RFC 9562): the first 48 bits are the creation time in milliseconds,
 * so ids sort by creation time, index inserts stay local, and an id can be a page cursor.
 */
final class MessageIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private MessageIds() {}

  static UUID next() {
    long millis = System.currentTimeMillis();
    long mostSignificant = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long leastSignificant = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(mostSignificant, leastSignificant);
  }
}
