package io.cascade.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Roll-ups and reports against the real store: what is rolled is what is read. */
@QuarkusTest
class DeliveryAnalyticsTest {

  @Inject DeliveryAnalytics analytics;
  @Inject Pool database;

  private final String smsc = "smsc-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void aDayIsReadFromTheRolledHoursAndTheAttemptsSinceTheLastOne() {
    TestApi.Tenant tenant = TestApi.newTenant();
    Instant now = Instant.now();
    Instant hour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    // Three hours ago: 6 delivered over SMS 1-6 s after accept, 4 failed over SMS and delivered
    // over WhatsApp 10 s after accept.
    for (int i = 0; i < 10; i++) {
      Instant accepted = hour.plus(Duration.ofMinutes(5 + i));
      UUID message = message(tenant.id(), accepted);
      if (i < 6) {
        attempt(message, "SMS", smsc, "DELIVERED", accepted, accepted.plusSeconds(1 + i));
      } else {
        attempt(message, "SMS", smsc, "UNDELIVERED", accepted, null);
        attempt(message, "WHATSAPP", "wa-" + smsc, "DELIVERED", accepted, accepted.plusSeconds(10));
      }
    }
    rollUpTheDayBefore(now);

    DeliveryReport day = analytics.forTenant(tenant.id(), Window.DAY).await().indefinitely();
    assertThat(day.rolledUntil()).isAfter(hour);
    DeliveryReport.Provider sms = provider(day, "sms", smsc);
    assertThat(sms.attempts()).isEqualTo(10);
    assertThat(sms.delivered()).isEqualTo(6);
    assertThat(sms.failed()).isEqualTo(4);
    assertThat(sms.deliveryRate()).isEqualTo(0.6);
    // Exact median 3.5 s, p95 6 s: the buckets are 3-5 s and 5-7.5 s.
    assertThat(sms.medianSeconds()).isBetween(3.0, 5.0);
    assertThat(sms.p95Seconds()).isBetween(5.0, 7.5);
    DeliveryReport.Provider whatsapp = provider(day, "whatsapp", "wa-" + smsc);
    assertThat(whatsapp.deliveryRate()).isEqualTo(1.0);
    assertThat(whatsapp.medianSeconds()).isBetween(7.5, 15.0);
    assertThat(day.perHour()).anySatisfy(h -> assertThat(h.hour()).isEqualTo(hour));

    // An attempt stored after the roll-up is not in the report until the hour is rolled again.
    Instant late = hour.plus(Duration.ofMinutes(50));
    attempt(message(tenant.id(), late), "SMS", smsc, "DELIVERED", late, late.plusSeconds(2));
    assertThat(
            provider(
                    analytics.forTenant(tenant.id(), Window.DAY).await().indefinitely(),
                    "sms",
                    smsc)
                .attempts())
        .isEqualTo(10);
    rollUp(hour, now);
    assertThat(
            provider(
                    analytics.forTenant(tenant.id(), Window.DAY).await().indefinitely(),
                    "sms",
                    smsc)
                .attempts())
        .isEqualTo(11);

    // The operator's report over every tenant holds the same hour from the all-tenants rows.
    assertThat(
            provider(analytics.forAll(Window.WEEK).await().indefinitely(), "sms", smsc).attempts())
        .isEqualTo(11);
    // And another tenant's report knows nothing of it.
    TestApi.Tenant other = TestApi.newTenant();
    assertThat(analytics.forTenant(other.id(), Window.WEEK).await().indefinitely().providers())
        .noneMatch(p -> p.provider().equals(smsc));
  }

  @Test
  void theCurrentHourIsReadFromTheAttempts() {
    TestApi.Tenant tenant = TestApi.newTenant();
    Instant accepted = Instant.now().minusSeconds(30);
    attempt(
        message(tenant.id(), accepted),
        "SMS",
        smsc,
        "DELIVERED",
        accepted,
        accepted.plusSeconds(2));
    attempt(message(tenant.id(), accepted), "SMS", smsc, "SENT", accepted, null);

    for (Window window : Window.values()) {
      DeliveryReport report = analytics.forTenant(tenant.id(), window).await().indefinitely();
      DeliveryReport.Provider sms = provider(report, "sms", smsc);
      assertThat(sms.attempts()).as(window.label()).isEqualTo(2);
      assertThat(sms.delivered()).as(window.label()).isEqualTo(1);
      assertThat(sms.failed()).as("an attempt awaiting its receipt has not failed").isZero();
      assertThat(sms.medianSeconds()).isBetween(2.0, 3.0);
    }
  }

  private void rollUpTheDayBefore(Instant now) {
    Instant hour = Window.DAY.start(now);
    for (;
        hour.isBefore(now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)));
        hour = hour.plus(Duration.ofHours(1))) {
      rollUp(hour, now);
    }
  }

  /** Rolls up one hour, waiting out the scheduled roll-up if it holds the lock just then. */
  private void rollUp(Instant hour, Instant now) {
    for (int tries = 0; !analytics.rollUp(hour, now).await().indefinitely(); tries++) {
      assertThat(tries).as("the roll-up lock stays taken").isLessThan(50);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static DeliveryReport.Provider provider(
      DeliveryReport report, String channel, String provider) {
    return report.providers().stream()
        .filter(p -> p.channel().equals(channel) && p.provider().equals(provider))
        .findFirst()
        .orElseThrow(() -> new AssertionError(provider + " not in " + report.providers()));
  }

  private UUID message(UUID tenant, Instant accepted) {
    UUID id = UUID.randomUUID();
    database
        .preparedQuery(
            "INSERT INTO message (id, tenant_id, status, text, route, created_at, updated_at,"
                + " valid_until) VALUES ($1, $2, 'DELIVERED', 'analytics', '[]', $3, $3, $3)")
        .execute(Tuple.of(id, tenant, accepted.atOffset(ZoneOffset.UTC)))
        .await()
        .indefinitely();
    return id;
  }

  private void attempt(
      UUID message,
      String channel,
      String provider,
      String status,
      Instant started,
      Instant delivered) {
    database
        .preparedQuery(
            "INSERT INTO attempt (id, message_id, step, channel, provider, status, started_at,"
                + " delivered_at, tenant_id, accepted_at)"
                + " SELECT $1, $2, 0, $3, $4, $5, $6, $7, m.tenant_id, m.created_at"
                + " FROM message m WHERE m.id = $2")
        .execute(
            Tuple.tuple()
                .addUUID(UUID.randomUUID())
                .addUUID(message)
                .addString(channel)
                .addString(provider)
                .addString(status)
                .addOffsetDateTime(started.atOffset(ZoneOffset.UTC))
                .addOffsetDateTime(delivered == null ? null : delivered.atOffset(ZoneOffset.UTC)))
        .await()
        .indefinitely();
  }
}
