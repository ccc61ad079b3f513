package io.cascade.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code fc00::/7}; a bare address is /32 or /128.
 */
record Cidr(byte[] network, int prefix) {

  /**
   * Parses {@code text}, an IPv4 or IPv6 literal with an optional {@code /prefix}.
   *
   * @throws IllegalArgumentException when it is neither
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    if (!IpLiterals.looksLikeAddress(address)) {
      throw new IllegalArgumentException(text + " is not an address block");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text + " is not an address block", e);
    }
    if (address.indexOf(':') >= 0 && bytes.length == 4) {
      // The JDK reads an IPv4-mapped IPv6 literal as the IPv4 address; the block is IPv6's.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xFF;
      mapped[11] = (byte) 0xFF;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      bytes = mapped;
    }
    int bits = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(text + " has no valid prefix length", e);
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException(text + " has a prefix length outside 0-" + bits);
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} (of the same family) lies in this block. */
  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefix / 8;
    if (!Arrays.equals(address, 0, whole, network, 0, whole)) {
      return false;
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xFF << (8 - rest) & 0xFF;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr cidr
        && prefix == cidr.prefix
        && Arrays.equals(network, cidr.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes always make an address", e);
    }
  }
}
