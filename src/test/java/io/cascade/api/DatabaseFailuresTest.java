package io.cascade.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Which database errors mean "unavailable now" (503, retried) and which are bugs (500). */
class DatabaseFailuresTest {

  private static PgException state(String sqlState) {
    return new PgException("error", "ERROR", sqlState, null);
  }

  @Test
  void aFailoverInProgressIsUnavailable() {
    // The old primary going away, a node still in recovery, one not accepting connections yet.
    assertThat(DatabaseFailures.isUnavailable(state("57P01"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(state("25006"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(state("57P03"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(state("08006"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(new RuntimeException(new ConnectException("x"))))
        .isTrue();
  }

  @Test
  void errorsInTheStatementsThemselvesAreNot() {
    assertThat(DatabaseFailures.isUnavailable(state("23505"))).isFalse(); // unique violation
    assertThat(DatabaseFailures.isUnavailable(state("42P01"))).isFalse(); // undefined table
    assertThat(DatabaseFailures.isUnavailable(new IllegalStateException("bug"))).isFalse();
  }
}
