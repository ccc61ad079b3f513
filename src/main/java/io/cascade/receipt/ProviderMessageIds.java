package io.cascade.receipt;

import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The forms under which a provider may name the same message. Many SMSCs answer {@code submit_sm}
 * with a hexadecimal id and put the decimal form of it in the receipt (or the other way round), so
 * a receipt id is looked up as given, in either case, and converted both ways.
 */
final class ProviderMessageIds {

  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,32}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,40}");

  private ProviderMessageIds() {}

  static Set<String> forms(String id) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(id);
    if (HEX.matcher(id).matches()) {
      BigInteger value = new BigInteger(id, 16);
      forms.add(id.toLowerCase(Locale.ROOT));
      forms.add(id.toUpperCase(Locale.ROOT));
      forms.add(value.toString());
    }
    if (DECIMAL.matcher(id).matches()) {
      String hex = new BigInteger(id).toString(16);
      forms.add(hex);
      forms.add(hex.toUpperCase(Locale.ROOT));
    }
    return forms;
  }
}
