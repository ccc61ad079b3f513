import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the results table of docs/reliability.md from the chaos suite's rows: for each scenario
 * the newest row at the highest rate it was run at (a later short run, such as a check of one fix,
 * does not hide the full one), with its target checked. Only the text between the two markers is
 * replaced, so the rest of the document stays hand-written.
 *
 * <p>Run with `java bench/chaos/Report.java <rows file> <markdown file>`.
 */
public class Report {

  private static final String BEGIN = "<!-- chaos-results:begin -->";
  private static final String END = "<!-- chaos-results:end -->";

  /** A scenario's fault and target, in the order of the table. */
  record Scenario(String fault, String target) {}

  private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put(
        "leader-kill",
        new Scenario(
            "`kill -9` of the node hosting the queue leader, restarted 20 s later",
            "lost 0, RTO < 1 s"));
    SCENARIOS.put(
        "connected-kill",
        new Scenario(
            "`kill -9` of the node the publisher is connected to, restarted 20 s later",
            "lost 0, RTO < 1 s"));
    SCENARIOS.put(
        "connected-freeze",
        new Scenario(
            "`SIGSTOP` of the publisher's node for 30 s, then `SIGCONT`", "lost 0, RTO < 5 s"));
    SCENARIOS.put(
        "majority-kill",
        new Scenario(
            "`kill -9` of the queue leader's node and one more (no majority) for 30 s, then back",
            "lost 0, intake continues, delivery resumes within 5 s of the broker's return"));
    SCENARIOS.put(
        "all-nodes-kill",
        new Scenario(
            "`kill -9` of all three nodes for 30 s, then back",
            "lost 0, intake continues, delivery resumes within 5 s of the broker's return"));
    SCENARIOS.put(
        "service-kill",
        new Scenario(
            "`kill -9` of Cascade, restarted at once", "lost 0, RTO = the restart"));
    SCENARIOS.put(
        "service-restart",
        new Scenario(
            "Cascade stopped with `SIGTERM` (a rolling update), started again",
            "lost 0, 0 interrupted attempts"));
    SCENARIOS.put(
        "rolling-restart",
        new Scenario(
            "two replicas behind a load balancer stopped with `SIGTERM` and started again, one"
                + " after the other",
            "lost 0, 0 interrupted attempts, 0 duplicates"));
    SCENARIOS.put(
        "replica-kill",
        new Scenario(
            "one of three replicas behind a load balancer `kill -9`ed, started again 10 s later",
            "lost 0, duplicates only for attempts in doubt"));
    SCENARIOS.put(
        "replica-freeze",
        new Scenario(
            "one of three replicas behind a load balancer frozen (`SIGSTOP`) for 30 s",
            "lost 0, duplicates only for attempts in doubt"));
    SCENARIOS.put(
        "pg-primary-kill",
        new Scenario(
            "HA database: `kill -9` of the primary's Patroni and PostgreSQL (a lost host), back 20 s"
                + " later",
            "lost 0, only `503` during the switch, RTO <= 10 s"));
    SCENARIOS.put(
        "pg-primary-crash",
        new Scenario(
            "HA database: `kill -9` of the primary's PostgreSQL (its Patroni stays)",
            "lost 0, only `503` during the switch, RTO <= 10 s"));
    SCENARIOS.put(
        "postgres-restart",
        new Scenario("PostgreSQL restarted", "lost 0, only `503` while it is down"));
    SCENARIOS.put(
        "providers-down",
        new Scenario(
            "every channel's provider failing for 30 s, then back",
            "lost 0, all delivered after recovery"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, Map<String, String>> newest = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      Map<String, String> row = parse(line);
      if (row.containsKey("scenario")) {
        Map<String, String> kept = newest.get(row.get("scenario"));
        if (kept == null || rate(row) >= rate(kept)) {
          newest.put(row.get("scenario"), row);
        }
      }
    }
    Path doc = Path.of(args[1]);
    String text = Files.readString(doc);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(doc + " has no " + BEGIN + " ... " + END + " section");
    }
    String updated =
        text.substring(0, begin + BEGIN.length())
            + "\n"
            + table(newest)
            + text.substring(end);
    Files.writeString(doc, updated);
    System.out.println("results table of " + doc + " rewritten (" + newest.size() + " scenarios)");
  }

  private static String table(Map<String, Map<String, String>> newest) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| scenario | fault | target | met | load | accepted / sent | delivered | failed | expired"
            + " | **lost** | interrupted attempts | duplicate deliveries | redriven | API answers"
            + " | RTO | delivery RTO | accept -> final p99 | slowest message | run |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    List<String> settings = new ArrayList<>();
    List<String> machines = new ArrayList<>();
    for (Map.Entry<String, Scenario> entry : SCENARIOS.entrySet()) {
      Map<String, String> row = newest.get(entry.getKey());
      if (row == null) {
        continue;
      }
      Scenario scenario = entry.getValue();
      out.append("| ")
          .append(String.join(
              " | ",
              entry.getKey(),
              scenario.fault(),
              scenario.target(),
              met(entry.getKey(), row) ? "yes" : "**no**",
              row.get("rate") + " msg/s × " + row.get("seconds") + " s",
              row.get("accepted") + " / " + row.get("sent"),
              row.get("delivered"),
              row.get("failed"),
              row.get("expired"),
              "**" + row.get("lost") + "**",
              row.get("interrupted_attempts"),
              row.get("duplicate_deliveries"),
              row.getOrDefault("redriven", "–"),
              row.get("answers").replace(",", ", "),
              seconds(row.get("rto_ms")),
              seconds(row.get("delivery_rto_ms")),
              row.containsKey("p99_latency_ms") ? seconds(row.get("p99_latency_ms")) : "–",
              row.containsKey("max_latency_ms") ? seconds(row.get("max_latency_ms")) : "–",
              row.get("time") + " `" + row.get("commit") + "`"))
          .append(" |\n");
      addOnce(settings, settingsOf(row));
      addOnce(machines, row.get("machine"));
    }
    out.append("\nSettings: ").append(String.join("; ", settings)).append(".\n");
    out.append("Machine: ").append(String.join("; ", machines)).append(".\n");
    return out.toString();
  }

  /** Whether the row meets its scenario's target. */
  private static boolean met(String scenario, Map<String, String> row) {
    boolean nothingLost =
        row.get("lost").equals("0") && row.get("duplicate_deliveries").equals("0");
    long rto = Long.parseLong(row.get("rto_ms"));
    return switch (scenario) {
      case "leader-kill", "connected-kill" -> nothingLost && rto < 1000;
      case "connected-freeze" -> nothingLost && rto < 5000;
      case "service-restart", "rolling-restart" ->
          nothingLost && row.get("interrupted_attempts").equals("0");
      case "replica-kill", "replica-freeze" ->
          row.get("lost").equals("0")
              && Long.parseLong(row.get("duplicate_deliveries"))
                  <= Long.parseLong(row.get("interrupted_attempts"));
      case "pg-primary-kill", "pg-primary-crash" ->
          nothingLost && rto <= 10_000 && onlyAcceptedOrUnavailable(row);
      case "postgres-restart" -> nothingLost && onlyAcceptedOrUnavailable(row);
      case "providers-down" ->
          nothingLost
              && row.get("failed").equals("0")
              && row.get("expired").equals("0")
              && row.get("delivered").equals(row.get("accepted"));
      default -> nothingLost;
    };
  }

  /** Every request answered, and only with 202 or 503. */
  private static boolean onlyAcceptedOrUnavailable(Map<String, String> row) {
    return row.get("answers").matches("(202|503):\\d+(,(202|503):\\d+)*");
  }

  private static String settingsOf(Map<String, String> row) {
    return "AMQP heartbeat "
        + row.get("heartbeat")
        + ", reconnect interval "
        + row.get("reconnect")
        + ", confirm timeout "
        + row.get("confirm_timeout")
        + ", connection timeout "
        + row.get("connect_timeout")
        + ", quorum queue replicas "
        + row.get("replicas")
        + ", "
        + row.get("consumers")
        + " dispatch consumers, providers (simulator) answering in "
        + row.get("provider_ms")
        + " ms"
        + (row.containsKey("services") ? ", " + row.get("services") + " service replica(s)" : "")
        + (row.containsKey("database") ? ", database " + row.get("database") : "");
  }

  private static double rate(Map<String, String> row) {
    return Double.parseDouble(row.getOrDefault("rate", "0"));
  }

  private static void addOnce(List<String> values, String value) {
    if (value != null && !values.contains(value)) {
      values.add(value);
    }
  }

  private static String seconds(String millis) {
    return String.format("%.2f s", Long.parseLong(millis) / 1000.0);
  }

  /** A row: a timestamp, then space-separated key=value pairs. */
  private static Map<String, String> parse(String line) {
    Map<String, String> row = new LinkedHashMap<>();
    String[] fields = line.trim().split(" ");
    row.put("time", fields[0]);
    for (String field : fields) {
      int eq = field.indexOf('=');
      if (eq > 0) {
        row.put(field.substring(0, eq), field.substring(eq + 1));
      }
    }
    return row;
  }
}
