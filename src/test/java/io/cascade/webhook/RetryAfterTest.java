package io.cascade.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Retry-After in both of its forms (RFC 9110 section 10.2.3). */
class RetryAfterTest {

  /** The preferred HTTP-date form (RFC 9110 section 5.6.7), e.g. Wed, 21 Oct 2015 07:28:00 GMT. */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** {@code instant} as an IMF-fixdate, to the second. */
  static String httpDate(Instant instant) {
    return IMF_FIXDATE.format(instant);
  }

  @Test
  void readsDelaySeconds() {
    assertThat(WebhookDeliverer.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(WebhookDeliverer.retryAfter(" 0 ")).isEqualTo(Duration.ZERO);
  }

  @Test
  void readsAnHttpDateInTheFuture() {
    // Whole seconds, as the header has them, so the wait is exact up to the time this test takes.
    Instant inOneMinute = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(60);
    assertThat(WebhookDeliverer.retryAfter(httpDate(inOneMinute)))
        .isBetween(Duration.ofSeconds(58), Duration.ofSeconds(60));
    assertThat(httpDate(inOneMinute)).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} .* GMT");
  }

  @Test
  void anHttpDateInThePastMeansNow() {
    assertThat(WebhookDeliverer.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
        .isEqualTo(Duration.ZERO);
    assertThat(WebhookDeliverer.retryAfter(httpDate(Instant.now().minusSeconds(5))))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void capsHugeValuesInsteadOfOverflowing() {
    Duration cap = Duration.ofSeconds(2_147_483_648L);
    assertThat(WebhookDeliverer.MAX_RETRY_AFTER).isEqualTo(cap);
    assertThat(WebhookDeliverer.retryAfter("2147483647")).isEqualTo(cap.minusSeconds(1));
    assertThat(WebhookDeliverer.retryAfter("2147483649")).isEqualTo(cap);
    // Long.MAX_VALUE seconds would overflow the Instant it is added to; more digits, a long.
    assertThat(WebhookDeliverer.retryAfter(Long.toString(Long.MAX_VALUE))).isEqualTo(cap);
    assertThat(WebhookDeliverer.retryAfter("9".repeat(40))).isEqualTo(cap);
    assertThat(WebhookDeliverer.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT")).isEqualTo(cap);
  }

  @Test
  void theWaitIsAtLeastASecondAndAtMostTheCap() {
    Duration cap = Duration.ofHours(1);
    assertThat(WebhookDeliverer.bounded(Duration.ZERO, cap)).isEqualTo(Duration.ofSeconds(1));
    assertThat(WebhookDeliverer.bounded(Duration.ofMillis(999), cap))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(WebhookDeliverer.bounded(Duration.ofSeconds(30), cap))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(WebhookDeliverer.bounded(Duration.ofHours(5), cap)).isEqualTo(cap);
  }

  @Test
  void ignoresWhatIsNeither() {
    assertThat(WebhookDeliverer.retryAfter(null)).isNull();
    assertThat(WebhookDeliverer.retryAfter("")).isNull();
    assertThat(WebhookDeliverer.retryAfter("soon")).isNull();
    // delay-seconds is 1*DIGIT: no sign, no fraction, no exponent.
    assertThat(WebhookDeliverer.retryAfter("-5")).isNull();
    assertThat(WebhookDeliverer.retryAfter("+5")).isNull();
    assertThat(WebhookDeliverer.retryAfter("1.5")).isNull();
    assertThat(WebhookDeliverer.retryAfter("1e3")).isNull();
    // Dates in other shapes than an HTTP-date's, or impossible ones.
    assertThat(WebhookDeliverer.retryAfter("2015-10-21T07:28:00Z")).isNull();
    assertThat(WebhookDeliverer.retryAfter("Wed, 21 Oct 2015 07:28:00")).isNull();
    assertThat(WebhookDeliverer.retryAfter("Wed, 32 Oct 2015 07:28:00 GMT")).isNull();
  }
}
