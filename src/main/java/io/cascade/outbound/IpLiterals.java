package io.cascade.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Host names that are addresses written out: IPv6 literals, and IPv4 in every form the C library's
 * {@code inet_aton} reads ({@code 127.0.0.1}, {@code 2130706433}, {@code 0x7f.1}, {@code
 * 0177.0.0.1}). Read here, without a resolver, so that no spelling of a private address passes for
 * a host name; what a name resolves to is checked all the same.
 */
final class IpLiterals {

  // Dot-separated numbers, each decimal, octal (leading 0) or hex (0x); more than four are no
  // address, and no name either (no top-level domain is all digits).
  private static final Pattern NUMERIC_IPV4 =
      Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)(\\.(0[xX][0-9a-fA-F]+|[0-9]+))*");

  private IpLiterals() {}

  /** Whether {@code host} is written as an address (valid or not) rather than as a name. */
  static boolean looksLikeAddress(String host) {
    return host.indexOf(':') >= 0 || NUMERIC_IPV4.matcher(host).matches();
  }

  /**
   * The address {@code host} spells, or empty when it is a name (to be resolved). {@code host} may
   * be an IPv6 literal in brackets, as in a URL.
   *
   * @throws IllegalArgumentException when it looks like an address but is none
   */
  static Optional<InetAddress> parse(String host) {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!looksLikeAddress(bare)) {
      return Optional.empty();
    }
    if (bare.indexOf(':') >= 0) {
      // A zone id would name one of this machine's interfaces: never a tenant's endpoint.
      if (bare.indexOf('%') >= 0) {
        throw new IllegalArgumentException(host + " names a network interface");
      }
      try {
        // A literal with a colon is parsed, never looked up.
        return Optional.of(InetAddress.getByName(bare));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(host + " is not a valid IPv6 address", e);
      }
    }
    return Optional.of(ipv4(bare));
  }

  /** {@code inet_aton}: the last number fills all the bytes the ones before it leave. */
  private static InetAddress ipv4(String text) {
    String[] parts = text.split("\\.");
    if (parts.length > 4) {
      throw new IllegalArgumentException(text + " is not a valid IPv4 address");
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = number(parts[i], text);
      long max = i < parts.length - 1 ? 0xFF : (1L << (8 * (5 - parts.length))) - 1;
      if (values[i] > max) {
        throw new IllegalArgumentException(text + " is not a valid IPv4 address");
      }
    }
    long address = values[parts.length - 1];
    for (int i = 0; i < parts.length - 1; i++) {
      address |= values[i] << (8 * (3 - i));
    }
    byte[] bytes = {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes always make an address", e);
    }
  }

  private static long number(String part, String text) {
    try {
      if (part.length() > 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
        return part.length() > 10 ? Long.MAX_VALUE : Long.parseLong(part.substring(2), 16);
      }
      if (part.length() > 1 && part.startsWith("0")) {
        return part.length() > 12 ? Long.MAX_VALUE : Long.parseLong(part.substring(1), 8);
      }
      return part.length() > 10 ? Long.MAX_VALUE : Long.parseLong(part);
    } catch (NumberFormatException e) {
      // An octal part with an 8 or 9 in it: inet_aton refuses it, so do we.
      throw new IllegalArgumentException(text + " is not a valid IPv4 address", e);
    }
  }
}
