package io.cascade.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a call to a tenant URL may reach, by address: every spelling of a private one refused. */
class AddressPolicyTest {

  private static final AddressPolicy DEFAULT = AddressPolicy.allowing(List.of());

  private static InetAddress address(String host) {
    return IpLiterals.parse(host).orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254", // cloud metadata
        "100.64.0.1",
        "100.127.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "240.0.0.1",
        "198.18.0.1",
        "192.0.2.10",
        // Other spellings of 127.0.0.1 and 169.254.169.254, as inet_aton reads them.
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "127.1",
        "0177.0.0.1",
        "017700000001",
        "169.254.43518",
        "0xA9FEA9FE",
        // IPv6, and IPv6 carrying a private IPv4.
        "[::1]",
        "[::]",
        "[fe80::1]",
        "[febf:ffff::1]",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[ff02::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::ffff:169.254.169.254]",
        "[::127.0.0.1]",
        "[64:ff9b::10.0.0.1]",
        "[2002:7f00:1::]",
        "[2002:a9fe:a9fe::1]",
        "[2001:db8::1]",
      })
  void refusesEveryPrivateReservedOrSpecialAddress(String host) {
    assertThat(DEFAULT.refusal(address(host))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "172.15.255.255", // just below 172.16/12
        "172.32.0.1", // just above it
        "100.63.255.255", // just below 100.64/10
        "100.128.0.1",
        "11.0.0.1",
        "[2606:4700:4700::1111]",
        "[2a00:1450:4001:81b::200e]",
        "[64:ff9b::8.8.8.8]", // NAT64 of a public address
        "[2002:808:808::1]", // 6to4 of 8.8.8.8
      })
  void letsPublicAddressesThrough(String host) {
    assertThat(DEFAULT.refusal(address(host))).isEmpty();
  }

  @Test
  void namesTheRangeInTheRefusal() {
    assertThat(DEFAULT.refusal(address("2130706433")))
        .contains("127.0.0.1 is loopback (127.0.0.0/8)");
    assertThat(DEFAULT.refusal(address("169.254.169.254")))
        .contains("169.254.169.254 is link-local (169.254.0.0/16)");
    assertThat(DEFAULT.refusal(address("[64:ff9b::a00:1]")).orElseThrow())
        .startsWith("64:ff9b:0:0:0:0:a00:1 carries 10.0.0.1 is private");
  }

  @Test
  void anAllowlistedBlockOrHostIsLetThrough() {
    AddressPolicy policy =
        AddressPolicy.allowing(List.of("10.20.0.0/16", " 127.0.0.2 ", "hooks.internal", "*.corp"));
    assertThat(policy.refusal(address("10.20.1.2"))).isEmpty();
    assertThat(policy.refusal(address("10.21.0.1"))).isPresent();
    assertThat(policy.refusal(address("127.0.0.2"))).isEmpty();
    assertThat(policy.refusal(address("127.0.0.1"))).isPresent();
    assertThat(policy.allowsHost("hooks.internal")).isTrue();
    assertThat(policy.allowsHost("HOOKS.internal.")).isTrue();
    assertThat(policy.allowsHost("evil-hooks.internal")).isFalse();
    assertThat(policy.allowsHost("a.b.corp")).isTrue();
    assertThat(policy.allowsHost("corp")).isFalse();
    assertThat(policy.allowsHost("xcorp")).isFalse();
  }

  @Test
  void aMalformedAllowlistEntryIsAnError() {
    for (String bad : List.of("10.0.0.0/33", "::/129", "10.0.0.0/x", "host name", "a_b.c")) {
      assertThatThrownBy(() -> AddressPolicy.allowing(List.of(bad)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void numericHostsThatAreNoAddressAreRefusedNotResolved() {
    for (String bad :
        List.of("256.0.0.1", "1.2.3.4.5", "0x1.0x2.0x3.0x100", "4294967296", "09.1")) {
      assertThatThrownBy(() -> IpLiterals.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> IpLiterals.parse("[fe80::1%25eth0]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(IpLiterals.parse("hooks.example.com")).isEmpty();
    assertThat(IpLiterals.parse("0xdead.example")).isEmpty();
  }
}
