package io.cascade.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run of the build: the packaged service under low load on a local 3-node RabbitMQ
 * cluster, first with the queue leader's node killed, then with the service itself killed and
 * restarted. Fails if any message answered 202 does not reach a final state.
 */
class ChaosIT {

  private static final Pattern ROW =
      Pattern.compile(
          "scenario=\\S+ .*? accepted=(\\d+) .*? delivered=(\\d+) .*? lost=(\\d+)"
              + " .*? duplicate_deliveries=(\\d+) ");

  @Test
  void killingTheLeaderNodeOrTheServiceLosesNothing() throws Exception {
    Path log = Path.of("target", "chaos", "chaos-it.log");
    Files.createDirectories(log.getParent());
    ProcessBuilder chaos =
        new ProcessBuilder(
                "bench/chaos/run.sh",
                "--rate",
                "20",
                "--seconds",
                "20",
                "leader-kill",
                "service-kill")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(new File("."));
    // Keep the build's rows out of the committed results file.
    chaos.environment().put("CHAOS_RESULTS", "target/chaos/results.txt");
    chaos.environment().put("CHAOS_REPORT", "");
    Process run = chaos.start();
    boolean finished = run.waitFor(12, TimeUnit.MINUTES);
    if (!finished) {
      run.destroyForcibly();
    }
    String output = Files.readString(log);

    assertThat(finished).as("chaos run finished in time:\n%s", output).isTrue();
    assertThat(run.exitValue()).as("chaos run exit code:\n%s", output).isZero();
    Matcher rows = ROW.matcher(output);
    List<int[]> results = new ArrayList<>();
    while (rows.find()) {
      results.add(
          new int[] {
            Integer.parseInt(rows.group(1)),
            Integer.parseInt(rows.group(2)),
            Integer.parseInt(rows.group(3)),
            Integer.parseInt(rows.group(4))
          });
    }
    assertThat(results).as("one result row per scenario:\n%s", output).hasSize(2);
    for (int[] row : results) {
      assertThat(row[0]).as("accepted").isPositive();
      assertThat(row[2]).as("lost:\n%s", output).isZero();
      // A message committed just before the service was killed got no 202 but is delivered too.
      assertThat(row[1]).as("delivered").isGreaterThanOrEqualTo(row[0]);
      assertThat(row[3]).as("messages delivered twice").isZero();
    }
  }
}
