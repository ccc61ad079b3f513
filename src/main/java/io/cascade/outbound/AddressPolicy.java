package io.cascade.outbound;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses a call to a tenant's URL may reach: public unicast ones only, unless the operator
 * allowlisted the address block or the host name. Pure: no resolver, no clock.
 *
 * <p>The blocked ranges are IANA's special-purpose blocks that are not globally reachable (RFC 6890
 * and its updates), plus multicast and the reserved 240/4 (which holds the broadcast address). IPv6
 * addresses that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
 */
public final class AddressPolicy {

  private record Range(Cidr block, String name) {}

  private static final List<Range> BLOCKED =
      List.of(
          range("0.0.0.0/8", "\"this network\""),
          range("10.0.0.0/8", "private"),
          range("100.64.0.0/10", "carrier-grade NAT"),
          range("127.0.0.0/8", "loopback"),
          range("169.254.0.0/16", "link-local"),
          range("172.16.0.0/12", "private"),
          range("192.0.0.0/24", "reserved for IETF protocols"),
          range("192.0.2.0/24", "reserved for documentation"),
          range("192.168.0.0/16", "private"),
          range("198.18.0.0/15", "reserved for benchmarking"),
          range("198.51.100.0/24", "reserved for documentation"),
          range("203.0.113.0/24", "reserved for documentation"),
          range("224.0.0.0/4", "multicast"),
          range("240.0.0.0/4", "reserved or broadcast"),
          range("::/128", "unspecified"),
          range("::1/128", "loopback"),
          range("64:ff9b:1::/48", "local-use NAT64"),
          range("100::/64", "discard-only"),
          range("2001:db8::/32", "reserved for documentation"),
          range("fc00::/7", "unique local"),
          range("fe80::/10", "link-local"),
          range("fec0::/10", "site-local"),
          range("ff00::/8", "multicast"));

  // IPv6 blocks whose addresses embed an IPv4 one, and the byte offset where it starts.
  private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
  private static final Cidr COMPATIBLE = Cidr.parse("::/96");
  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

  private final List<Cidr> allowedBlocks;
  private final List<String> allowedHosts;

  private AddressPolicy(List<Cidr> allowedBlocks, List<String> allowedHosts) {
    this.allowedBlocks = List.copyOf(allowedBlocks);
    this.allowedHosts = List.copyOf(allowedHosts);
  }

  /**
   * A policy with an allowlist: address blocks ({@code 10.1.0.0/16}, {@code 127.0.0.1}) and host
   * names ({@code hooks.internal}, or {@code *.internal} for every name under it).
   *
   * @throws IllegalArgumentException for an entry that is neither
   */
  public static AddressPolicy allowing(List<String> entries) {
    List<Cidr> blocks = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      String address = entry.contains("/") ? entry.substring(0, entry.indexOf('/')) : entry;
      if (IpLiterals.looksLikeAddress(address)) {
        blocks.add(Cidr.parse(entry));
      } else if (entry.matches("(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        hosts.add(entry);
      } else {
        throw new IllegalArgumentException(
            raw + " is neither an address block nor a host name to allow");
      }
    }
    return new AddressPolicy(blocks, hosts);
  }

  /** Whether the operator allowlisted {@code host} by name, whatever it resolves to. */
  public boolean allowsHost(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    for (String allowed : allowedHosts) {
      if (allowed.startsWith("*.")
          ? name.endsWith(allowed.substring(1)) && name.length() > allowed.length() - 1
          : name.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why {@code address} may not be called, e.g. {@code "127.0.0.1 is loopback (127.0.0.0/8)"};
   * empty when it is public or allowlisted.
   */
  public Optional<String> refusal(InetAddress address) {
    for (Cidr allowed : allowedBlocks) {
      if (allowed.contains(address)) {
        return Optional.empty();
      }
    }
    Optional<InetAddress> embedded = embeddedIpv4(address);
    if (embedded.isPresent()) {
      return refusal(embedded.get()).map(reason -> address.getHostAddress() + " carries " + reason);
    }
    for (Range range : BLOCKED) {
      if (range.block().contains(address)) {
        return Optional.of(
            address.getHostAddress() + " is " + range.name() + " (" + range.block() + ")");
      }
    }
    return Optional.empty();
  }

  /** The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64, 6to4), if any. */
  private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] bytes = address.getAddress();
    int offset;
    if (MAPPED.contains(bytes) || NAT64.contains(bytes)) {
      offset = 12;
    } else if (COMPATIBLE.contains(bytes) && !isUnspecifiedOrLoopback(bytes)) {
      offset = 12;
    } else if (SIX_TO_FOUR.contains(bytes)) {
      offset = 2;
    } else {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(Arrays.copyOfRange(bytes, offset, offset + 4)));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes always make an address", e);
    }
  }

  /** {@code ::} and {@code ::1} lie in the compatible block but are IPv6's own. */
  private static boolean isUnspecifiedOrLoopback(byte[] bytes) {
    for (int i = 0; i < 15; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[15] == 0 || bytes[15] == 1;
  }

  private static Range range(String block, String name) {
    return new Range(Cidr.parse(block), name);
  }
}
