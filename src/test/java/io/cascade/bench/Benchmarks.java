package io.cascade.bench;

import io.cascade.channel.Channel;
import io.cascade.channel.GuardedProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.SendOutcome;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/** What the provider benchmarks share: driving a provider, counting receipts, recording rows. */
final class Benchmarks {

  private static final Path RESULTS = Path.of("bench/results/providers.txt");

  private Benchmarks() {}

  /** Sends {@code count} messages through the guarded provider; how many came back sent. */
  static int sendThrough(
      GuardedProvider provider,
      Channel channel,
      IntFunction<String> recipient,
      int count,
      int inFlight) {
    return Multi.createFrom()
        .range(0, count)
        .onItem()
        .transformToUni(
            i ->
                provider.send(
                    new Outbound(
                        UUID.randomUUID(), channel, recipient.apply(i), null, "Code " + i)))
        .merge(inFlight)
        .filter(SendOutcome.Sent.class::isInstance)
        .collect()
        .with(Collectors.counting())
        .await()
        .atMost(Duration.ofMinutes(10))
        .intValue();
  }

  /** Receipts stored for the provider so far. */
  static long storedReceipts(Pool database, String provider) {
    return database
        .preparedQuery("SELECT count(*) FROM receipt WHERE provider = $1")
        .execute(Tuple.of(provider))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getLong(0);
  }

  /** Prints the row and appends it to bench/results/providers.txt. */
  static void record(String line) throws IOException {
    record(RESULTS, line);
  }

  /** Prints the row and appends it to {@code results}. */
  static void record(Path results, String line) throws IOException {
    String row =
        Instant.now()
            + " "
            + line
            + " machine="
            + Runtime.getRuntime().availableProcessors()
            + "cpu";
    System.out.println("BENCH " + row);
    Files.createDirectories(results.getParent());
    Files.writeString(
        results,
        row + System.lineSeparator(),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
