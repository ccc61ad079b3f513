package io.cascade.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The short chaos runs of the build ({@code bench/chaos/run.sh}, 20 msg/s for 20 s each scenario):
 * the packaged service on a local 3-node RabbitMQ cluster with the queue leader's node killed, two
 * of the three nodes killed for 30 s (no majority: intake goes on into the outbox), the service
 * killed and restarted, and the service stopped gracefully (SIGTERM) and restarted; then on the
 * highly available database (three Patroni nodes behind HAProxy) with the primary's host killed;
 * then two replicas behind a load balancer, restarted one after the other (SIGTERM) and one of them
 * killed. Each fails if any message answered 202 is lost or delivered twice; the graceful stops
 * also if they cut off a send (providers answer after 300 ms there, so that several sends are in
 * hand at the SIGTERM), the database failover also if any request got another answer than 202 or
 * 503.
 */
class ChaosIT {

  private static final Pattern ROW =
      Pattern.compile(
          "scenario=(\\S+) .*? accepted=(\\d+) answers=(\\S+) rto_ms=(\\d+) delivered=(\\d+)"
              + " .*? lost=(\\d+) interrupted_attempts=(\\d+) duplicate_deliveries=(\\d+) ");

  /** One scenario's row: what the run printed for it. */
  private record Row(
      String scenario,
      int accepted,
      String answers,
      long rtoMillis,
      int delivered,
      int lost,
      int interrupted,
      int duplicates) {}

  @Test
  void killingTheLeaderNodeOrTheServiceLosesNothingAndAGracefulStopCutsOffNoSend()
      throws Exception {
    List<Row> results =
        chaos(
            "broker-and-service",
            Map.of("CASCADE_SIMULATOR_LATENCY_MS", "300"),
            "leader-kill",
            "majority-kill",
            "service-kill",
            "service-restart");

    Row graceful = results.get(3);
    assertThat(graceful.scenario()).isEqualTo("service-restart");
    assertThat(graceful.interrupted())
        .as("sends cut off by the graceful stop (each a possible duplicate SMS)")
        .isZero();
  }

  @Test
  void losingTheDatabasePrimaryLosesNothingAndAnswersOnly503Meanwhile() throws Exception {
    Row failover = chaos("database", Map.of(), "pg-primary-kill").get(0);

    assertThat(failover.answers()).as("API answers").matches("(202|503):\\d+(,(202|503):\\d+)*");
    // The target is 10 s (docs/reliability.md, measured 5.7 s); the bound here leaves room for a
    // loaded build machine while still failing a failover that does not happen by itself.
    assertThat(failover.rtoMillis()).as("longest gap between two 202s").isLessThan(20_000);
  }

  @Test
  void restartingTwoReplicasOneAfterTheOtherCutsOffNoSendAndKillingOneLosesNothing()
      throws Exception {
    List<Row> results =
        chaos(
            "replicas",
            Map.of("CHAOS_SERVICES", "2", "CASCADE_SIMULATOR_LATENCY_MS", "300"),
            "rolling-restart",
            "replica-kill");

    Row rolling = results.get(0);
    assertThat(rolling.scenario()).isEqualTo("rolling-restart");
    assertThat(rolling.interrupted())
        .as("sends cut off by the rolling restart (each a possible duplicate SMS)")
        .isZero();
  }

  /** Runs the chaos suite on these scenarios; every row must show nothing lost or doubled. */
  private static List<Row> chaos(String name, Map<String, String> environment, String... scenarios)
      throws Exception {
    Path log = Path.of("target", "chaos", "chaos-it-" + name + ".log");
    Files.createDirectories(log.getParent());
    List<String> command =
        new ArrayList<>(List.of("bench/chaos/run.sh", "--rate", "20", "--seconds", "20"));
    command.addAll(List.of(scenarios));
    ProcessBuilder chaos =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(new File("."));
    // Keep the build's rows out of the committed results file.
    chaos.environment().put("CHAOS_RESULTS", "target/chaos/results.txt");
    chaos.environment().put("CHAOS_REPORT", "");
    chaos.environment().putAll(environment);
    Process run = chaos.start();
    boolean finished = run.waitFor(12, TimeUnit.MINUTES);
    if (!finished) {
      run.destroyForcibly();
    }
    String output = Files.readString(log);

    assertThat(finished).as("chaos run finished in time:\n%s", output).isTrue();
    assertThat(run.exitValue()).as("chaos run exit code:\n%s", output).isZero();
    Matcher rows = ROW.matcher(output);
    List<Row> results = new ArrayList<>();
    while (rows.find()) {
      results.add(
          new Row(
              rows.group(1),
              Integer.parseInt(rows.group(2)),
              rows.group(3),
              Long.parseLong(rows.group(4)),
              Integer.parseInt(rows.group(5)),
              Integer.parseInt(rows.group(6)),
              Integer.parseInt(rows.group(7)),
              Integer.parseInt(rows.group(8))));
    }
    assertThat(results).as("one result row per scenario:\n%s", output).hasSize(scenarios.length);
    for (Row row : results) {
      assertThat(row.accepted()).as("accepted in %s:\n%s", row.scenario(), output).isPositive();
      assertThat(row.lost()).as("lost in %s:\n%s", row.scenario(), output).isZero();
      // A message committed just before the service was killed got no 202 but is delivered too.
      assertThat(row.delivered()).as("delivered").isGreaterThanOrEqualTo(row.accepted());
      assertThat(row.duplicates()).as("messages delivered twice").isZero();
    }
    return results;
  }
}
