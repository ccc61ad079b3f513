package io.cascade.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Retry-After in both of its forms (RFC 9110 section 10.2.3). */
class RetryAfterTest {

  @Test
  void readsSeconds() {
    assertThat(WebhookDeliverer.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(WebhookDeliverer.retryAfter(" 0 ")).isEqualTo(Duration.ZERO);
  }

  @Test
  void readsAnHttpDate() {
    String inOneMinute =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(WebhookDeliverer.retryAfter(inOneMinute))
        .isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    assertThat(WebhookDeliverer.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void ignoresWhatIsNeither() {
    assertThat(WebhookDeliverer.retryAfter(null)).isNull();
    assertThat(WebhookDeliverer.retryAfter("")).isNull();
    assertThat(WebhookDeliverer.retryAfter("soon")).isNull();
    assertThat(WebhookDeliverer.retryAfter("-5")).isEqualTo(Duration.ZERO);
  }
}
