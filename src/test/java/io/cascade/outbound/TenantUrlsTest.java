package io.cascade.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The scheme rule and literal addresses, checked without a resolver (none is needed for them). */
class TenantUrlsTest {

  private static TenantUrls urls(boolean allowHttp, String... allow) {
    OutboundConfig config =
        new OutboundConfig() {
          @Override
          public boolean allowHttp() {
            return allowHttp;
          }

          @Override
          public Optional<List<String>> allow() {
            return Optional.of(List.of(allow));
          }

          @Override
          public Optional<List<String>> dnsServers() {
            return Optional.empty();
          }

          @Override
          public Duration resolveTimeout() {
            return Duration.ofSeconds(1);
          }
        };
    return new TenantUrls(config, null);
  }

  private static RefusedUrl refusal(TenantUrls urls, String url) {
    try {
      urls.check(url).await().atMost(Duration.ofSeconds(1));
    } catch (RefusedUrl refused) {
      return refused;
    }
    throw new AssertionError(url + " was not refused");
  }

  @Test
  void httpsIsRequiredUnlessPlainHttpIsAllowed() {
    RefusedUrl refused = refusal(urls(false), "http://93.184.215.14/hook");
    assertThat(refused.code()).isEqualTo("scheme_not_allowed");
    assertThat(refused.getMessage()).contains("must be https");
    assertThat(refused.mayWorkLater()).isFalse();
    assertThat(urls(true).check("http://93.184.215.14/hook").await().indefinitely().tls())
        .isFalse();
    assertThat(refusal(urls(true), "ftp://93.184.215.14/").code()).isEqualTo("scheme_not_allowed");
  }

  @Test
  void theTargetIsTheAddressCheckedWithTheHostAsWritten() {
    TenantUrls.Target target =
        urls(false).check("https://93.184.215.14:8443/a/b?c=d%20e").await().indefinitely();
    assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
    assertThat(target.port()).isEqualTo(8443);
    assertThat(target.tls()).isTrue();
    assertThat(target.requestUri()).isEqualTo("/a/b?c=d%20e");
    assertThat(urls(false).check("https://93.184.215.14").await().indefinitely().requestUri())
        .isEqualTo("/");
    assertThat(urls(false).check("https://93.184.215.14").await().indefinitely().port())
        .isEqualTo(443);
  }

  @Test
  void aLiteralPrivateAddressIsBlockedUnlessItsBlockIsAllowlisted() {
    RefusedUrl refused = refusal(urls(true), "http://2130706433/");
    assertThat(refused.code()).isEqualTo("blocked_address");
    assertThat(refused.getMessage())
        .isEqualTo("may not be called: 127.0.0.1 is loopback (127.0.0.0/8)");
    assertThat(
            urls(true, "127.0.0.0/8").check("http://2130706433/").await().indefinitely().address())
        .hasToString("/127.0.0.1");
    // A name on the allowlist does not open up addresses written as numbers.
    assertThat(refusal(urls(true, "localhost"), "http://127.0.0.1/").code())
        .isEqualTo("blocked_address");
  }

  @Test
  void aMalformedAllowlistStopsTheServiceAtStart() {
    assertThatThrownBy(() -> urls(true, "10.0.0.0/40"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
