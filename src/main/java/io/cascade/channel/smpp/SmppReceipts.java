package io.cascade.channel.smpp;

import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptStatus;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;

/**
 * Reads a delivery receipt out of a {@code deliver_sm}. The message id comes from the {@code
 * receipted_message_id} TLV when present, else from the {@code id:} field of the receipt text; the
 * outcome from the text's {@code stat:} field, else from the {@code message_state} TLV. Parsed
 * leniently: SMSCs differ in field order, case and date formats, none of which matter here.
 */
final class SmppReceipts {

  private static final Pattern ID = Pattern.compile("(?i)\\bid:\\s*([^\\s]+)");
  private static final Pattern STAT = Pattern.compile("(?i)\\bstat:\\s*([A-Za-z]+)");
  private static final Pattern ERR = Pattern.compile("(?i)\\berr:\\s*([^\\s]+)");

  private SmppReceipts() {}

  /**
   * The receipt in {@code deliverSm}, which came on {@code session}; empty when it names no message
   * or no outcome.
   */
  static Optional<Receipt> parse(String provider, String session, DeliverSm deliverSm) {
    String text =
        deliverSm.getShortMessage() == null
            ? ""
            : new String(deliverSm.getShortMessage(), StandardCharsets.ISO_8859_1);
    String id = tlvMessageId(deliverSm).orElse(field(ID, text));
    ReceiptStatus status =
        Optional.ofNullable(field(STAT, text))
            .map(SmppReceipts::ofStat)
            .orElseGet(() -> tlvState(deliverSm));
    if (id == null || status == null) {
      return Optional.empty();
    }
    return Optional.of(new Receipt(provider, id, status, field(ERR, text), session));
  }

  /** The receipt text's {@code stat:} value in Cascade's terms; null when unknown. */
  static ReceiptStatus ofStat(String stat) {
    return switch (stat.toUpperCase(Locale.ROOT)) {
      case "DELIVRD" -> ReceiptStatus.DELIVERED;
      case "UNDELIV" -> ReceiptStatus.UNDELIVERED;
      case "REJECTD" -> ReceiptStatus.REJECTED;
      case "EXPIRED" -> ReceiptStatus.EXPIRED;
      case "DELETED" -> ReceiptStatus.DELETED;
      case "UNKNOWN" -> ReceiptStatus.UNKNOWN;
      // Intermediate states: the carrier has it, nothing more.
      case "ACCEPTD", "ENROUTE" -> ReceiptStatus.SENT;
      default -> null;
    };
  }

  private static Optional<String> tlvMessageId(DeliverSm deliverSm) {
    OptionalParameter tlv =
        deliverSm.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID);
    if (tlv instanceof OptionalParameter.COctetString id && !id.getValueAsString().isBlank()) {
      return Optional.of(id.getValueAsString().trim());
    }
    return Optional.empty();
  }

  private static ReceiptStatus tlvState(DeliverSm deliverSm) {
    OptionalParameter tlv = deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE);
    if (!(tlv instanceof OptionalParameter.Byte state)) {
      return null;
    }
    // SMPP 3.4, 5.2.28: message_state values.
    return switch (state.getValue()) {
      case 2 -> ReceiptStatus.DELIVERED;
      case 3 -> ReceiptStatus.EXPIRED;
      case 4 -> ReceiptStatus.DELETED;
      case 5 -> ReceiptStatus.UNDELIVERED;
      case 1, 6 -> ReceiptStatus.SENT;
      case 7 -> ReceiptStatus.UNKNOWN;
      case 8 -> ReceiptStatus.REJECTED;
      default -> null;
    };
  }

  private static String field(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.group(1) : null;
  }
}
