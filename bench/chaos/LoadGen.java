import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steady load for the chaos suite: POSTs one message every 1/rate seconds for a bounded time,
 * whatever the answers, and records every answer (time sent, time answered, status, message id).
 * Every request carries an Idempotency-Key of its own, as a tenant app's would: a load balancer
 * may then send it again to another replica without making a second message.
 * Run with `java bench/chaos/LoadGen.java <base-url> <api-key> <rate/s> <seconds> <out.csv>`.
 * Prints: sent, accepted (202), answers by status, and RTO = the longest gap between two
 * consecutive 202 answers (ms).
 */
public class LoadGen {

  record Answer(long sentMs, long answeredMs, int status, String id) {}

  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  private static final String BODY =
      "{\"route\":[{\"channel\":\"sms\",\"to\":\"+4915112345678\"},"
          + "{\"channel\":\"whatsapp\",\"to\":\"+4915112345678\"}],"
          + "\"text\":\"Your code is 123456\",\"reference\":\"chaos\",\"validitySeconds\":3600}";

  /** Requests without an HTTP answer, by why: the status column of the CSV holds the key. */
  private static final Map<Integer, String> NO_ANSWER =
      Map.of(0, "no_answer", -1, "timeout", -2, "no_connection");

  /** Tells a request the service never answered in 10 s from one it could not even reach. */
  private static int noAnswer(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.HttpConnectTimeoutException
          || t instanceof java.net.ConnectException) {
        return -2;
      }
      if (t instanceof java.net.http.HttpTimeoutException) {
        return -1;
      }
    }
    return 0;
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String key = args[1];
    double rate = Double.parseDouble(args[2]);
    long seconds = Long.parseLong(args[3]);
    Path out = Path.of(args[4]);

    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY));

    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    long periodMicros = (long) (1_000_000 / rate);
    long total = (long) (rate * seconds);
    long[] sent = {0};
    ticker.scheduleAtFixedRate(
        () -> {
          if (sent[0]++ >= total) {
            return;
          }
          long sentMs = System.currentTimeMillis();
          client
              .sendAsync(
                  request.copy().header("Idempotency-Key", UUID.randomUUID().toString()).build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (response, failure) -> {
                    long now = System.currentTimeMillis();
                    if (failure != null) {
                      answers.add(new Answer(sentMs, now, noAnswer(failure), ""));
                    } else {
                      Matcher m = ID.matcher(response.body());
                      answers.add(
                          new Answer(sentMs, now, response.statusCode(), m.find() ? m.group(1) : ""));
                    }
                  });
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
    Thread.sleep(seconds * 1000 + 100);
    ticker.shutdown();
    long deadline = System.currentTimeMillis() + 15_000;
    while (answers.size() < Math.min(sent[0], total) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }

    List<Answer> all = new ArrayList<>(answers);
    all.sort((a, b) -> Long.compare(a.answeredMs(), b.answeredMs()));
    Map<Integer, Integer> byStatus = new TreeMap<>();
    long lastAccepted = -1;
    long rto = 0;
    long first = all.isEmpty() ? 0 : all.get(0).sentMs();
    try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out))) {
      csv.println("sent_ms,answered_ms,status,id");
      for (Answer a : all) {
        byStatus.merge(a.status(), 1, Integer::sum);
        csv.println(a.sentMs() + "," + a.answeredMs() + "," + a.status() + "," + a.id());
        if (a.status() == 202) {
          long gapStart = lastAccepted < 0 ? first : lastAccepted;
          rto = Math.max(rto, a.answeredMs() - gapStart);
          lastAccepted = a.answeredMs();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    System.out.println(
        "sent="
            + Math.min(sent[0], total)
            + " accepted="
            + byStatus.getOrDefault(202, 0)
            + " answers="
            + byStatus.entrySet().stream()
                .map(e -> (e.getKey() <= 0 ? NO_ANSWER.get(e.getKey()) : e.getKey()) + ":" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","))
            + " rto_ms="
            + rto);
  }
}
