package io.cascade.channel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a message text into the {@code short_message} payloads of SMPP 3.4 {@code submit_sm} PDUs.
 *
 * <p>The text goes out as GSM-7 when every character is in the GSM 03.38 default alphabet or its
 * extension table, otherwise as UCS-2. GSM-7 is sent unpacked, one octet per septet, because that
 * is what SMSCs expect with {@code data_coding} 0x00 over SMPP; packing is the SMSC's job on the
 * air interface. A text that does not fit one message is split into concatenated parts, each
 * starting with an 8-bit-reference concatenation UDH; callers set the UDHI bit (0x40) of {@code
 * esm_class} for parts with {@link Part#hasUdh()}.
 */
public final class SmsParts {

  /** The most parts a concatenated message can have: the UDH counts them in one octet. */
  public static final int MAX_PARTS = 255;

  private static final int GSM7_SINGLE = 160;
  private static final int GSM7_CONCATENATED = 153;
  private static final int UCS2_SINGLE = 70;
  private static final int UCS2_CONCATENATED = 67;

  /** Precedes an extension table character; the pair costs two septets. */
  private static final int ESCAPE = 0x1B;

  /**
   * The GSM 03.38 default alphabet, indexed by septet. The escape position holds a character that
   * never occurs in text, so it maps nothing.
   */
  private static final String BASIC =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\uFFFFÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

  /** The extension table: characters and the septets that follow the escape. */
  private static final String EXTENSION_CHARS = "\f^{}\\[~]|€";

  private static final byte[] EXTENSION_SEPTETS = {
    0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65
  };

  /**
   * Character to GSM-7 code: the septet for the basic alphabet, {@code 0x1B00 | septet} for the
   * extension table, so the escape is visible in the code itself.
   */
  private static final Map<Character, Integer> GSM7_CODES = new HashMap<>();

  static {
    for (int septet = 0; septet < BASIC.length(); septet++) {
      if (septet != ESCAPE) {
        GSM7_CODES.put(BASIC.charAt(septet), septet);
      }
    }
    for (int i = 0; i < EXTENSION_CHARS.length(); i++) {
      GSM7_CODES.put(EXTENSION_CHARS.charAt(i), ESCAPE << 8 | EXTENSION_SEPTETS[i]);
    }
  }

  private SmsParts() {}

  /** How the text is encoded in the payload. */
  public enum Encoding {
    /** GSM 03.38 default alphabet, unpacked: one octet per septet. */
    GSM7(0x00, GSM7_SINGLE, GSM7_CONCATENATED),
    /** UTF-16BE; limits count UTF-16 code units. */
    UCS2(0x08, UCS2_SINGLE, UCS2_CONCATENATED);

    private final byte dataCoding;
    private final int singleLimit;
    private final int concatenatedLimit;

    Encoding(int dataCoding, int singleLimit, int concatenatedLimit) {
      this.dataCoding = (byte) dataCoding;
      this.singleLimit = singleLimit;
      this.concatenatedLimit = concatenatedLimit;
    }

    /** The {@code data_coding} value of {@code submit_sm} for this encoding. */
    public byte dataCoding() {
      return dataCoding;
    }
  }

  /**
   * One {@code short_message} payload; the UDH is included when the text needed several parts.
   *
   * @param payload the octets of {@code short_message}, UDH first if there is one
   * @param hasUdh whether the payload starts with a UDH, so {@code esm_class} needs UDHI (0x40)
   */
  public record Part(byte[] payload, boolean hasUdh) {}

  /** GSM-7 if every character of {@code text} is in the GSM 03.38 alphabet, otherwise UCS-2. */
  public static Encoding encodingOf(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (!GSM7_CODES.containsKey(text.charAt(i))) {
        return Encoding.UCS2;
      }
    }
    return Encoding.GSM7;
  }

  /**
   * Splits {@code text} into parts. Empty text gives one part with an empty payload.
   *
   * @param reference the concatenation reference number (0..255) shared by all parts; only used
   *     when the text needs several parts
   * @throws IllegalArgumentException if the text needs more than {@value #MAX_PARTS} parts or the
   *     reference is out of range
   */
  public static List<Part> split(String text, int reference) {
    if (reference < 0 || reference > 0xFF) {
      throw new IllegalArgumentException(
          "concatenation reference must be between 0 and 255, was " + reference);
    }
    Encoding encoding = encodingOf(text);
    int[] ends = partEnds(text, encoding);
    if (ends.length == 1) {
      return List.of(new Part(encode(text, 0, text.length(), encoding), false));
    }
    List<Part> parts = new ArrayList<>(ends.length);
    int start = 0;
    for (int i = 0; i < ends.length; i++) {
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      // Concatenation IE with an 8-bit reference: UDH length, IEI 0x00, IE length, ref, total, seq.
      payload.write(0x05);
      payload.write(0x00);
      payload.write(0x03);
      payload.write(reference);
      payload.write(ends.length);
      payload.write(i + 1);
      payload.writeBytes(encode(text, start, ends[i], encoding));
      parts.add(new Part(payload.toByteArray(), true));
      start = ends[i];
    }
    return List.copyOf(parts);
  }

  /**
   * The number of parts {@link #split} produces for {@code text}, without building payloads.
   *
   * @throws IllegalArgumentException if the text needs more than {@value #MAX_PARTS} parts
   */
  public static int partCount(String text) {
    return partEnds(text, encodingOf(text)).length;
  }

  /**
   * The end index (exclusive, in chars of {@code text}) of each part. Works on whole characters as
   * the encoding sees them, an escape pair or a surrogate pair, so neither is ever cut in two.
   */
  private static int[] partEnds(String text, Encoding encoding) {
    Objects.requireNonNull(text, "text");
    if (units(text, 0, text.length(), encoding) <= encoding.singleLimit) {
      return new int[] {text.length()};
    }
    List<Integer> ends = new ArrayList<>();
    int used = 0;
    int i = 0;
    while (i < text.length()) {
      int length = charLength(text, i, encoding);
      int cost = units(text, i, i + length, encoding);
      if (used + cost > encoding.concatenatedLimit) {
        ends.add(i);
        used = 0;
      }
      used += cost;
      i += length;
    }
    ends.add(text.length());
    if (ends.size() > MAX_PARTS) {
      throw new IllegalArgumentException(
          "text needs "
              + ends.size()
              + " SMS parts ("
              + encoding
              + ", "
              + text.length()
              + " chars), at most "
              + MAX_PARTS
              + " are possible");
    }
    return ends.stream().mapToInt(Integer::intValue).toArray();
  }

  /** How many chars at {@code i} belong together: a surrogate pair in UCS-2, else one. */
  private static int charLength(String text, int i, Encoding encoding) {
    return encoding == Encoding.UCS2 ? Character.charCount(text.codePointAt(i)) : 1;
  }

  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the chars in {@code [from, to)} take. */
  private static int units(String text, int from, int to, Encoding encoding) {
    if (encoding == Encoding.UCS2) {
      return to - from;
    }
    int septets = 0;
    for (int i = from; i < to; i++) {
      septets += GSM7_CODES.get(text.charAt(i)) > 0xFF ? 2 : 1;
    }
    return septets;
  }

  private static byte[] encode(String text, int from, int to, Encoding encoding) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (encoding == Encoding.UCS2) {
        // Char by char rather than String.getBytes, which would turn a lone surrogate into '?'.
        out.write(c >> 8);
        out.write(c);
      } else {
        int code = GSM7_CODES.get(c);
        if (code > 0xFF) {
          out.write(ESCAPE);
        }
        out.write(code);
      }
    }
    return out.toByteArray();
  }
}
