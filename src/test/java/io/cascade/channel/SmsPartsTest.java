package io.cascade.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cascade.channel.SmsParts.Encoding;
import io.cascade.channel.SmsParts.Part;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoding choice, GSM 03.38 code points and splitting into concatenated SMPP parts. */
class SmsPartsTest {

  private static final String EMOJI = "\uD83D\uDE00"; // 😀, a surrogate pair

  @Test
  void asciiOf160CharsIsOnePartWithoutUdh() {
    List<Part> parts = SmsParts.split("a".repeat(160), 7);

    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).hasUdh()).isFalse();
    assertThat(parts.get(0).payload()).hasSize(160).containsOnly((byte) 'a');
  }

  @Test
  void asciiOf161CharsIsTwoPartsWithConcatenationUdh() {
    List<Part> parts = SmsParts.split("a".repeat(161), 42);

    assertThat(parts).hasSize(2);
    assertThat(parts).allMatch(Part::hasUdh);
    assertThat(udh(parts.get(0))).containsExactly(0x05, 0x00, 0x03, 42, 2, 1);
    assertThat(udh(parts.get(1))).containsExactly(0x05, 0x00, 0x03, 42, 2, 2);
    assertThat(parts.get(0).payload()).hasSize(6 + 153);
    assertThat(parts.get(1).payload()).hasSize(6 + 8);
  }

  @Test
  void referenceAboveOneTwentySevenIsWrittenAsAnUnsignedOctet() {
    List<Part> parts = SmsParts.split("a".repeat(161), 255);

    assertThat(udh(parts.get(0))[3]).isEqualTo(255);
  }

  @Test
  void referenceOutOfRangeIsRejected() {
    assertThatThrownBy(() -> SmsParts.split("hi", 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256");
    assertThatThrownBy(() -> SmsParts.split("hi", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void euroCostsTwoSeptetsAsEscapePair() {
    assertThat(SmsParts.encodingOf("€")).isEqualTo(Encoding.GSM7);
    assertThat(SmsParts.split("€", 0).get(0).payload()).containsExactly(0x1B, 0x65);

    List<Part> eighty = SmsParts.split("€".repeat(80), 0);
    assertThat(eighty).hasSize(1);
    assertThat(eighty.get(0).payload()).hasSize(160);

    assertThat(SmsParts.split("€".repeat(81), 0)).hasSize(2);
  }

  @Test
  void escapePairIsNeverSplitAcrossParts() {
    // 76 euros fill 152 septets; the 77th would be septets 153 and 154, so it moves on whole.
    List<Part> parts = SmsParts.split("€".repeat(81), 0);

    assertThat(parts).hasSize(2);
    assertThat(text(parts.get(0))).hasSize(152);
    assertThat(text(parts.get(1))).hasSize(10);
    for (Part part : parts) {
      byte[] text = text(part);
      assertThat(text[text.length - 1]).isNotEqualTo((byte) 0x1B);
    }
    // One septet ahead, the 76th pair ends exactly on septet 153 and stays in the first part.
    List<Part> shifted = SmsParts.split("a" + "€".repeat(80), 0);
    assertThat(shifted).hasSize(2);
    assertThat(text(shifted.get(0))).hasSize(153);
    assertThat(text(shifted.get(0))[152]).isEqualTo((byte) 0x65);
    assertThat(text(shifted.get(1))).startsWith(0x1B, 0x65);
  }

  @Test
  void extensionCharactersUseTheEscape() {
    assertThat(SmsParts.split("[]{}\\^~|\f", 0).get(0).payload())
        .containsExactly(
            0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x14, 0x1B, 0x3D,
            0x1B, 0x40, 0x1B, 0x0A);
  }

  @Test
  void gsmCodePointsFollowGsm0338() {
    assertThat(SmsParts.split("@£$éÄ_Δàü\n", 0).get(0).payload())
        .containsExactly(0x00, 0x01, 0x02, 0x05, 0x5B, 0x11, 0x10, 0x7F, 0x7E, 0x0A);
    assertThat(SmsParts.split("Hello, 1!", 0).get(0).payload())
        .isEqualTo("Hello, 1!".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void gsmTextUsesDataCodingZero() {
    assertThat(SmsParts.encodingOf("Hello €")).isEqualTo(Encoding.GSM7);
    assertThat(Encoding.GSM7.dataCoding()).isEqualTo((byte) 0x00);
    assertThat(Encoding.UCS2.dataCoding()).isEqualTo((byte) 0x08);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ş", EMOJI, "`", "\u001B", "ç"})
  void oneNonGsmCharacterSwitchesTheWholeTextToUcs2(String odd) {
    String text = "Hello " + odd + " world";

    assertThat(SmsParts.encodingOf(text)).isEqualTo(Encoding.UCS2);
    assertThat(SmsParts.split(text, 0).get(0).payload())
        .isEqualTo(text.getBytes(StandardCharsets.UTF_16BE));
  }

  @Test
  void ucs2Of70CharsIsOnePartAnd71AreTwo() {
    List<Part> seventy = SmsParts.split("ş".repeat(70), 0);
    assertThat(seventy).hasSize(1);
    assertThat(seventy.get(0).hasUdh()).isFalse();
    assertThat(seventy.get(0).payload()).hasSize(140);

    List<Part> seventyOne = SmsParts.split("ş".repeat(71), 9);
    assertThat(seventyOne).hasSize(2);
    assertThat(udh(seventyOne.get(0))).containsExactly(0x05, 0x00, 0x03, 9, 2, 1);
    assertThat(seventyOne.get(0).payload()).hasSize(6 + 134);
    assertThat(seventyOne.get(1).payload()).hasSize(6 + 8);
  }

  @Test
  void surrogatePairStraddlingThePartBoundaryMovesWholeToTheNextPart() {
    // 66 code units, then an emoji at units 67 and 68: the pair would straddle the 67 boundary.
    String text = "ş".repeat(66) + EMOJI + "ş".repeat(10);

    List<Part> parts = SmsParts.split(text, 0);

    assertThat(parts).hasSize(2);
    assertThat(text(parts.get(0))).isEqualTo("ş".repeat(66).getBytes(StandardCharsets.UTF_16BE));
    assertThat(text(parts.get(1)))
        .isEqualTo((EMOJI + "ş".repeat(10)).getBytes(StandardCharsets.UTF_16BE));
  }

  @Test
  void emptyTextIsOnePartWithEmptyPayload() {
    List<Part> parts = SmsParts.split("", 0);

    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).payload()).isEmpty();
    assertThat(parts.get(0).hasUdh()).isFalse();
    assertThat(SmsParts.partCount("")).isEqualTo(1);
  }

  @Test
  void at255PartsItStillSplitsAndAbove255ItRefuses() {
    assertThat(SmsParts.split("a".repeat(255 * 153), 0)).hasSize(255);

    assertThatThrownBy(() -> SmsParts.split("a".repeat(255 * 153 + 1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256")
        .hasMessageContaining("255");
    assertThatThrownBy(() -> SmsParts.partCount("ş".repeat(255 * 67 + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "hi", "€", "ş", EMOJI, "x160", "x161", "x306", "x307", "€80", "€81", "€153", "ş70",
        "ş71", "ş134", "ş135", "mixed"
      })
  void partCountAgreesWithSplit(String spec) {
    String text = expand(spec);

    assertThat(SmsParts.partCount(text)).isEqualTo(SmsParts.split(text, 0).size());
  }

  /** "x160" means 160 times "x"; "mixed" is a long text with emojis and escapes. */
  private static String expand(String spec) {
    if (spec.equals("mixed")) {
      return ("Grüße € " + EMOJI + " ").repeat(40);
    }
    if (spec.length() > 1 && Character.isDigit(spec.charAt(1))) {
      return spec.substring(0, 1).repeat(Integer.parseInt(spec.substring(1)));
    }
    return spec;
  }

  /** The six UDH octets as unsigned ints. */
  private static int[] udh(Part part) {
    return Arrays.stream(toInts(part.payload())).limit(6).toArray();
  }

  /** The payload without its UDH. */
  private static byte[] text(Part part) {
    byte[] payload = part.payload();
    return part.hasUdh() ? Arrays.copyOfRange(payload, 6, payload.length) : payload;
  }

  private static int[] toInts(byte[] bytes) {
    int[] ints = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ints[i] = bytes[i] & 0xFF;
    }
    return ints;
  }
}
