package io.cascade.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cascade.support.Metrics;
import io.cascade.support.ServiceProcess;
import io.cascade.support.SmscPeer;
import io.cascade.support.WebhookSink;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link StepTimer} claims, proven with real separate service processes: the packaged jar
 * ({@link ServiceProcess}) against the local PostgreSQL (a fresh database {@value #DATABASE} per
 * scenario) and RabbitMQ (vhost {@value #VHOST}), SMS over a real SMPP peer ({@link SmscPeer}: a
 * {@code +49176...} number is accepted and never gets a receipt), WhatsApp by the built-in
 * simulator, and the tenant's webhook events POSTed to a {@link WebhookSink} in this JVM. A step
 * timeout fires once however many replicas look for due deadlines, and a deadline that passed while
 * the service was down (killed with {@code kill -9}) fires once after it is back; webhook events
 * refused by the endpoint before the kill are delivered after it.
 *
 * <p>The replicas really race: each one's step timer looks for due rows every {@code
 * cascade.steps.check-interval} (250 ms) at a phase of its own, the burst's deadlines fall due over
 * a second or so, and a row that both find due is moved on by whichever locks it first ({@code FOR
 * UPDATE SKIP LOCKED}); the figures show the split between them.
 *
 * <p>Per message both scenarios check: delivered by exactly one WhatsApp attempt after exactly one
 * SMS attempt (one submit at the SMSC) whose reason is {@code no_receipt_in_time}; exactly one
 * {@code message.failover} event stored and exactly one distinct one received by the webhook (its
 * redeliveries do not hide a second event); and {@code cascade_failovers_total} over the replicas
 * equals the number of messages. The service logs are under {@code target/step-timer-it/}, the
 * figures in its {@code figures.txt}.
 */
class StepTimerIT {

  private static final Path WORK = Path.of("target", "step-timer-it");
  private static final String DATABASE = "cascade_timer_it";
  private static final String VHOST = "cascade-it";
  private static final String ADMIN_TOKEN = "timer-it-" + UUID.randomUUID();
  private static final String FAILOVER = "message.failover";
  private static final String NO_RECEIPT = "no_receipt_in_time";
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  /** A deadline that is not cleared would fire again on a later tick: watch a few more. */
  private static final Duration WATCH_FOR_DOUBLES = Duration.ofMillis(2500);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static SmscPeer smsc;
  private static WebhookSink webhooks;

  /** Every message of the class gets a number of its own, so the SMSC's submits tell them apart. */
  private static int nextNumber;

  private final List<ServiceProcess> services = new ArrayList<>();
  private long testStart;

  /** A tenant as created through the admin API. */
  private record Tenant(String id, String key) {}

  /** A message accepted with 202, and the number its SMS went to. */
  private record Sent(String id, String number) {}

  /** When one message's SMS step was due and when its timeout fired. */
  private record Fired(String messageId, Instant due, Instant firedAt, Instant whatsAppStartedAt) {}

  @BeforeAll
  static void startPeers() throws IOException {
    assertThat(ServiceProcess.JAR)
        .as("the packaged service (./mvnw package builds it before the ITs run)")
        .exists();
    Files.createDirectories(WORK);
    try (var logs = Files.newDirectoryStream(WORK, "*.log")) {
      for (Path log : logs) {
        Files.delete(log); // each run's logs only; figures.txt keeps every run's row
      }
    }
    smsc = new SmscPeer("it");
    smsc.start();
    webhooks = new WebhookSink();
  }

  @BeforeEach
  void freshDatabase() throws Exception {
    testStart = System.nanoTime();
    webhooks.answer(204);
    psql(
        "postgres",
        "postgres",
        "DROP DATABASE IF EXISTS " + DATABASE + " (FORCE)",
        "CREATE DATABASE " + DATABASE + " OWNER cascade");
  }

  @AfterEach
  void killServices() throws InterruptedException {
    for (ServiceProcess service : services) {
      service.kill();
    }
    services.clear();
  }

  @AfterAll
  static void stopPeers() throws InterruptedException {
    if (webhooks != null) {
      webhooks.close();
    }
    if (smsc != null) {
      smsc.close();
    }
  }

  @Test
  void twoReplicasFireEachTimeoutOnce() throws Exception {
    int count = 50;
    int timeoutSeconds = 5;
    ServiceProcess a = service("replica-a");
    ServiceProcess b = service("replica-b");
    int binds = smsc.binds.get();
    // Started together on the empty database: their Flyway migrations race too.
    a.start();
    b.start();
    a.awaitReady(START_LIMIT);
    b.awaitReady(START_LIMIT);
    awaitBinds(binds + 2);
    phase("both replicas ready and bound");
    warmUp(List.of(a, b));
    phase("warmed up");
    Tenant tenant = newTenant(a, "timer-it-replicas");
    setWebhook(b, tenant);

    long sendStart = System.nanoTime();
    List<Sent> sent = sendBurst(List.of(a, b), tenant, count, timeoutSeconds);
    double sendSeconds = (System.nanoTime() - sendStart) / 1e9;
    phase("burst sent");
    awaitDelivered(a, tenant, sent, Duration.ofSeconds(60));
    phase("all delivered");
    awaitEventsDelivered(a, tenant, sent, Duration.ofSeconds(30));
    phase("all events delivered");
    Thread.sleep(WATCH_FOR_DOUBLES.toMillis());

    List<Fired> fired = assertFiredOnce(a, tenant, sent, timeoutSeconds);
    double firedByA = timeoutsFired(a);
    double firedByB = timeoutsFired(b);
    report(
        String.format(
            Locale.ROOT,
            "two-replicas messages=%d timeout_s=%d send_s=%.2f fired_by_a=%.0f fired_by_b=%.0f"
                + " fired_after_due_ms=%s whatsapp_start_after_due_ms=%s webhook_posts=%d",
            count,
            timeoutSeconds,
            sendSeconds,
            firedByA,
            firedByB,
            spread(fired, f -> Duration.between(f.due(), f.firedAt())),
            spread(fired, f -> Duration.between(f.due(), f.whatsAppStartedAt())),
            webhookPosts(sent)));
    assertThat(firedByA + firedByB)
        .as(
            "cascade_failovers_total{reason=%s} over both replicas (a: %s, b: %s)\n%s",
            NO_RECEIPT, firedByA, firedByB, tails())
        .isEqualTo(count);
  }

  @Test
  void aTimeoutDueWhileTheServiceIsDownFiresOnceAfterTheRestart() throws Exception {
    int count = 30;
    int timeoutSeconds = 8;
    ServiceProcess service = service("restarted");
    int binds = smsc.binds.get();
    service.start();
    service.awaitReady(START_LIMIT);
    awaitBinds(binds + 1);
    phase("ready and bound");
    warmUp(List.of(service));
    phase("warmed up");
    Tenant tenant = newTenant(service, "timer-it-restart");
    setWebhook(service, tenant);
    // The endpoint is down until the service is restarted: the message.sent events recorded before
    // the kill are pending retries then, and must be delivered after it.
    webhooks.answer(503);

    List<Sent> sent = sendBurst(List.of(service), tenant, count, timeoutSeconds);
    // Every SMS taken by the SMSC, each message waiting for its receipt until its deadline.
    String pending =
        "SELECT count(*) FROM message WHERE tenant_id = '"
            + tenant.id()
            + "' AND status = 'SENT' AND step_due_at IS NOT NULL";
    awaitUntil(
        "every message sent by SMS with its deadline pending",
        Duration.ofSeconds(20),
        () -> {
          String rows = psql("cascade", DATABASE, pending);
          return rows.equals("" + count) ? null : rows + " of " + count;
        });
    // ... and every message.sent event refused once, so each is a pending retry at the kill.
    Set<String> ids = sent.stream().map(Sent::id).collect(Collectors.toSet());
    awaitUntil(
        "every message.sent event refused by the endpoint",
        Duration.ofSeconds(10),
        () -> {
          Set<String> refused =
              webhooks.received().stream()
                  .filter(post -> post.type().equals("message.sent") && post.status() == 503)
                  .map(WebhookSink.Received::messageId)
                  .collect(Collectors.toSet());
          return refused.containsAll(ids) ? null : refused.size() + " of " + ids.size();
        });
    double secondsToFirstDeadline =
        Double.parseDouble(
            psql(
                "cascade",
                DATABASE,
                "SELECT extract(epoch FROM min(step_due_at) - clock_timestamp()) FROM message"
                    + " WHERE tenant_id = '"
                    + tenant.id()
                    + "'"));
    Instant killedAt = Instant.now();
    service.kill();
    phase("killed");
    assertThat(secondsToFirstDeadline)
        .as("seconds left to the first deadline when the service was killed")
        .isGreaterThan(1.0);

    // Every deadline passes while no service runs: they are pending rows, none has fired.
    double secondsToLastDeadline =
        Double.parseDouble(
            psql(
                "cascade",
                DATABASE,
                "SELECT extract(epoch FROM max(step_due_at) - clock_timestamp()) FROM message"
                    + " WHERE tenant_id = '"
                    + tenant.id()
                    + "'"));
    Thread.sleep(Math.max(0, Math.round(secondsToLastDeadline * 1000) + 1000));
    String overdue =
        psql(
            "cascade",
            DATABASE,
            "SELECT count(*) FROM message WHERE tenant_id = '"
                + tenant.id()
                + "' AND status = 'SENT' AND step_due_at < clock_timestamp()");
    String failoverEvents =
        psql(
            "cascade",
            DATABASE,
            "SELECT count(*) FROM webhook_event WHERE tenant_id = '"
                + tenant.id()
                + "' AND type = '"
                + FAILOVER
                + "'");
    assertThat(overdue).as("overdue deadlines while the service is down").isEqualTo("" + count);
    assertThat(failoverEvents).as("failovers before the restart").isEqualTo("0");

    phase("deadlines passed");
    webhooks.answer(204);
    service.start();
    Instant restartedAt = service.startedAt();
    Instant readyAt = service.awaitReady(START_LIMIT);
    phase("restarted");
    awaitDelivered(service, tenant, sent, Duration.ofSeconds(60));
    phase("all delivered");
    awaitEventsDelivered(service, tenant, sent, Duration.ofSeconds(30));
    phase("all events delivered");
    Thread.sleep(WATCH_FOR_DOUBLES.toMillis());

    List<Fired> fired = assertFiredOnce(service, tenant, sent, timeoutSeconds);
    List<WebhookSink.Received> sentEvents =
        webhooks.received().stream()
            .filter(post -> ids.contains(post.messageId()) && post.type().equals("message.sent"))
            .toList();
    assertThat(sentEvents)
        .as("message.sent events refused before the kill")
        .filteredOn(post -> post.status() == 503 && post.receivedAt().isBefore(killedAt))
        .extracting(WebhookSink.Received::messageId)
        .containsAll(ids);
    assertThat(sentEvents)
        .as("message.sent events delivered after the restart")
        .filteredOn(post -> post.status() == 204 && post.receivedAt().isAfter(restartedAt))
        .extracting(WebhookSink.Received::messageId)
        .containsExactlyInAnyOrderElementsOf(ids);
    double firedAfterRestart = timeoutsFired(service);
    report(
        String.format(
            Locale.ROOT,
            "restart messages=%d timeout_s=%d first_deadline_after_kill_s=%.1f down_s=%.1f"
                + " start_to_ready_ms=%d fired_after_restart=%.0f fired_after_start_ms=%s"
                + " fired_after_ready_ms=%s fired_after_due_ms=%s",
            count,
            timeoutSeconds,
            secondsToFirstDeadline,
            Duration.between(killedAt, restartedAt).toMillis() / 1000.0,
            Duration.between(restartedAt, readyAt).toMillis(),
            firedAfterRestart,
            spread(fired, f -> Duration.between(restartedAt, f.firedAt())),
            spread(fired, f -> Duration.between(readyAt, f.firedAt())),
            spread(fired, f -> Duration.between(f.due(), f.firedAt()))));
    assertThat(fired)
        .as("every timeout fired by the restarted service\n%s", tails())
        .allSatisfy(f -> assertThat(f.firedAt()).isAfter(restartedAt));
    assertThat(firedAfterRestart)
        .as("cascade_failovers_total{reason=%s} of the restarted service\n%s", NO_RECEIPT, tails())
        .isEqualTo(count);
  }

  /** A service process on a free port, with SMS over {@link #smsc} as provider {@code smsc}. */
  private ServiceProcess service(String name) {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("CASCADE_DB_NAME", DATABASE);
    environment.put("CASCADE_RABBITMQ_VHOST", VHOST);
    environment.put("CASCADE_ADMIN_TOKEN", ADMIN_TOKEN);
    environment.put("CASCADE_SMS_PROVIDERS", "smsc");
    // 10 connections are plenty for these bursts; PostgreSQL's 100 slots are shared with the
    // replicas, the test suite and anything else running on this machine.
    environment.put("CASCADE_DB_POOL_SIZE", "10");
    // Provider keys as system properties: unambiguous, where environment names are not.
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("cascade.provider.smsc.type", "smpp");
    properties.put("cascade.provider.smsc.smpp.host", "127.0.0.1");
    properties.put("cascade.provider.smsc.smpp.port", String.valueOf(smsc.port));
    properties.put("cascade.provider.smsc.smpp.system-id", "cascade");
    properties.put("cascade.provider.smsc.smpp.source-address", "Cascade");
    // A webhook delivery cut off by a kill is handed back after this lease (default a minute).
    properties.put("cascade.webhooks.claim-lease", "5s");
    // Events refused before a kill are retried soon after the restart, not minutes later.
    properties.put("cascade.webhooks.retry-delay", "1s");
    properties.put("cascade.webhooks.retry-max-delay", "2s");
    // The webhook sink is this JVM's, on loopback over plain http: refused by default.
    properties.put("cascade.outbound.allow-http", "true");
    properties.put("cascade.outbound.allow", "127.0.0.1");
    // One line per step moved on, naming the message: which replica fired what, in its log.
    properties.put("quarkus.log.category.\"io.cascade.dispatch.AfterCommit\".level", "DEBUG");
    ServiceProcess service =
        new ServiceProcess(
            name, ServiceProcess.freePort(), WORK.resolve(name + ".log"), environment, properties);
    services.add(service);
    return service;
  }

  /**
   * A few SMS-only messages through each service, delivered by receipt: the first requests of a
   * fresh JVM are slow, and a slow burst would spread the deadlines the replicas race for.
   */
  private void warmUp(List<ServiceProcess> targets) throws Exception {
    Tenant tenant = newTenant(targets.get(0), "timer-it-warm-up");
    List<Sent> sent = new ArrayList<>();
    for (ServiceProcess target : targets) {
      for (int i = 0; i < 5; i++) {
        String number = "+4915" + String.format(Locale.ROOT, "%08d", nextNumber++);
        String body =
            JSON.writeValueAsString(
                Map.of("route", List.of(Map.of("channel", "sms", "to", number)), "text", "warm"));
        JsonNode accepted = call(target, "POST", "/v1/messages", tenant.key(), body, 202);
        sent.add(new Sent(accepted.path("id").asText(), number));
      }
    }
    awaitDelivered(targets.get(0), tenant, sent, Duration.ofSeconds(30));
  }

  private void awaitBinds(int binds) throws InterruptedException {
    awaitUntil(
        "SMPP binds to the SMSC",
        Duration.ofSeconds(20),
        () -> smsc.binds.get() >= binds ? null : smsc.binds.get() + " of " + binds + " binds");
  }

  private static Tenant newTenant(ServiceProcess service, String name) throws Exception {
    JsonNode created =
        call(
            service,
            "POST",
            "/admin/v1/tenants",
            ADMIN_TOKEN,
            JSON.writeValueAsString(Map.of("name", name)),
            201);
    return new Tenant(created.path("id").asText(), created.path("apiKey").asText());
  }

  private static void setWebhook(ServiceProcess service, Tenant tenant) throws Exception {
    call(
        service,
        "PUT",
        "/v1/webhook",
        tenant.key(),
        JSON.writeValueAsString(Map.of("url", webhooks.url())),
        200);
  }

  /** Sends {@code count} SMS-then-WhatsApp messages at once, in turn to each service. */
  private List<Sent> sendBurst(
      List<ServiceProcess> targets, Tenant tenant, int count, int timeoutSeconds) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // +49176...: the SMSC takes it and never sends a receipt.
      String number = "+49176" + String.format(Locale.ROOT, "%07d", nextNumber++);
      numbers.add(number);
      Map<String, Object> sms =
          Map.of(
              "channel",
              "sms",
              "to",
              number,
              "waitFor",
              "delivered",
              "timeoutSeconds",
              timeoutSeconds);
      Map<String, Object> whatsApp = Map.of("channel", "whatsapp", "to", number);
      String body =
          JSON.writeValueAsString(
              Map.of(
                  "route",
                  List.of(sms, whatsApp),
                  "text",
                  "Your code is " + i,
                  "reference",
                  "timer-it-" + i));
      ServiceProcess target = targets.get(i % targets.size());
      answers.add(
          HTTP.sendAsync(
              request(target, "/v1/messages", tenant.key())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    List<Sent> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = answers.get(i).get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode())
          .as("send answer %s\n%s", response.body(), tails())
          .isEqualTo(202);
      sent.add(new Sent(JSON.readTree(response.body()).path("id").asText(), numbers.get(i)));
    }
    return sent;
  }

  private void awaitDelivered(
      ServiceProcess service, Tenant tenant, List<Sent> sent, Duration atMost)
      throws InterruptedException {
    Set<String> delivered = new HashSet<>();
    awaitUntil(
        "every message delivered",
        atMost,
        () -> {
          for (Sent message : sent) {
            if (!delivered.contains(message.id())) {
              JsonNode view = message(service, tenant, message.id());
              if (!"delivered".equals(view.path("status").asText())) {
                return (sent.size() - delivered.size()) + " not delivered yet, e.g. " + view;
              }
              delivered.add(message.id());
            }
          }
          return null;
        });
  }

  /** Waits until each message's events are delivered and its failover event reached the sink. */
  private void awaitEventsDelivered(
      ServiceProcess service, Tenant tenant, List<Sent> sent, Duration atMost)
      throws InterruptedException {
    Set<String> done = new HashSet<>();
    awaitUntil(
        "every event delivered to the webhook",
        atMost,
        () -> {
          Map<String, Set<String>> received = webhooks.eventIds(FAILOVER);
          for (Sent message : sent) {
            String id = message.id();
            if (done.contains(id)) {
              continue;
            }
            JsonNode events = events(service, tenant, id);
            boolean allDelivered =
                StreamSupport.stream(events.spliterator(), false)
                    .allMatch(e -> "delivered".equals(e.path("delivery").path("state").asText()));
            boolean hasDelivered =
                StreamSupport.stream(events.spliterator(), false)
                    .anyMatch(e -> "message.delivered".equals(e.path("type").asText()));
            if (!allDelivered || !hasDelivered || !received.containsKey(id)) {
              return id + " events: " + events;
            }
            done.add(id);
          }
          return null;
        });
  }

  /**
   * The per-message checks of the class comment, all collected before failing; answers when each
   * timeout was due and fired.
   */
  private List<Fired> assertFiredOnce(
      ServiceProcess service, Tenant tenant, List<Sent> sent, int timeoutSeconds) throws Exception {
    Map<String, Set<String>> received = webhooks.eventIds(FAILOVER);
    List<String> problems = new ArrayList<>();
    List<Fired> fired = new ArrayList<>();
    for (Sent sms : sent) {
      String id = sms.id();
      JsonNode message = message(service, tenant, id);
      List<JsonNode> attempts = list(message.path("attempts"));
      List<JsonNode> smsAttempts = byField(attempts, "channel", "sms");
      List<JsonNode> whatsApp = byField(attempts, "channel", "whatsapp");
      List<JsonNode> events = list(events(service, tenant, id));
      List<JsonNode> failovers = byField(events, "type", FAILOVER);
      Set<String> receivedIds = received.getOrDefault(id, Set.of());
      List<String> wrong = new ArrayList<>();
      if (!"delivered".equals(message.path("status").asText())
          || !"[\"whatsapp\"]".equals(message.path("deliveredVia").toString())) {
        wrong.add("not delivered via WhatsApp only");
      }
      if (smsAttempts.size() != 1
          || !"sent".equals(smsAttempts.get(0).path("status").asText())
          || !NO_RECEIPT.equals(smsAttempts.get(0).path("reason").asText())
          || !smsAttempts.get(0).path("error").asText().startsWith(NO_RECEIPT)) {
        wrong.add("not one SMS attempt sent and ended for " + NO_RECEIPT);
      }
      int submits = smsc.submitsTo(sms.number()).size();
      if (submits != 1) {
        wrong.add("the SMSC got " + submits + " submits");
      }
      if (whatsApp.size() != 1 || !"delivered".equals(whatsApp.get(0).path("status").asText())) {
        wrong.add(whatsApp.size() + " WhatsApp attempts (expected one, delivered)");
      }
      if (failovers.size() != 1) {
        wrong.add(failovers.size() + " message.failover events stored");
      } else {
        JsonNode data = failovers.get(0).path("data");
        if (!"sms".equals(data.path("from").asText())
            || !"whatsapp".equals(data.path("to").asText())
            || !NO_RECEIPT.equals(data.path("reason").asText())) {
          wrong.add("failover event data " + data);
        }
        if (!receivedIds.equals(Set.of(failovers.get(0).path("id").asText()))) {
          wrong.add("webhook received failover event ids " + receivedIds);
        }
      }
      if (!wrong.isEmpty()) {
        problems.add(id + ": " + wrong + "\n  message: " + message + "\n  events: " + events);
        continue;
      }
      fired.add(
          new Fired(
              id,
              Instant.parse(smsAttempts.get(0).path("endedAt").asText())
                  .plusSeconds(timeoutSeconds),
              Instant.parse(failovers.get(0).path("createdAt").asText()),
              Instant.parse(whatsApp.get(0).path("startedAt").asText())));
    }
    assertThat(problems)
        .as(
            "%d of %d messages did not fail over exactly once:\n%s\n%s",
            problems.size(),
            sent.size(),
            String.join("\n", problems.subList(0, Math.min(5, problems.size()))),
            tails())
        .isEmpty();
    return fired;
  }

  /** Webhook POSTs received for these messages, redeliveries included. */
  private static long webhookPosts(List<Sent> sent) {
    Set<String> ids = sent.stream().map(Sent::id).collect(Collectors.toSet());
    return webhooks.received().stream().filter(post -> ids.contains(post.messageId())).count();
  }

  /** Timeouts the service's step timer fired since it started. */
  private static double timeoutsFired(ServiceProcess service) throws Exception {
    HttpResponse<String> scrape =
        HTTP.send(
            HttpRequest.newBuilder(service.managementUri("/q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    return Metrics.sumIn(
        scrape.body(),
        "cascade_failovers_total",
        "from=\"sms\"",
        "to=\"whatsapp\"",
        "reason=\"" + NO_RECEIPT + "\"");
  }

  private static JsonNode message(ServiceProcess service, Tenant tenant, String id)
      throws Exception {
    return call(service, "GET", "/v1/messages/" + id, tenant.key(), null, 200);
  }

  private static JsonNode events(ServiceProcess service, Tenant tenant, String id)
      throws Exception {
    return call(service, "GET", "/v1/messages/" + id + "/events", tenant.key(), null, 200);
  }

  private static JsonNode call(
      ServiceProcess service, String method, String path, String token, String body, int status)
      throws Exception {
    HttpRequest.Builder request = request(service, path, token);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("%s %s on %s: %s", method, path, service.name, response.body())
        .isEqualTo(status);
    return JSON.readTree(response.body());
  }

  private static HttpRequest.Builder request(ServiceProcess service, String path, String token) {
    return HttpRequest.newBuilder(service.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token);
  }

  /** Something that answers null when done, else what it still waits for. */
  @FunctionalInterface
  private interface Pending {
    String check() throws Exception;
  }

  /** Polls {@code pending} until it answers null; fails with its last answer and the logs. */
  private void awaitUntil(String what, Duration atMost, Pending pending)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    String waitingFor;
    do {
      try {
        waitingFor = pending.check();
      } catch (Exception | AssertionError e) {
        waitingFor = e.toString();
      }
      if (waitingFor == null) {
        return;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        what + ": not within " + atMost + "; still waiting for " + waitingFor + "\n" + tails());
  }

  private String tails() {
    return services.stream().map(service -> service.tail(40)).collect(Collectors.joining("\n"));
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static List<JsonNode> byField(Collection<JsonNode> nodes, String field, String value) {
    return nodes.stream().filter(node -> value.equals(node.path(field).asText())).toList();
  }

  /** min/p50/p90/max of the durations in ms. */
  private static String spread(List<Fired> fired, Function<Fired, Duration> measure) {
    List<Long> ms = fired.stream().map(measure).map(Duration::toMillis).sorted().toList();
    if (ms.isEmpty()) {
      return "none";
    }
    return String.format(
        Locale.ROOT,
        "min:%d/p50:%d/p90:%d/max:%d",
        ms.get(0),
        ms.get(ms.size() / 2),
        ms.get((int) Math.min(ms.size() - 1, Math.round(ms.size() * 0.9))),
        ms.get(ms.size() - 1));
  }

  /** Prints how far the test has come, for a look at where its time goes. */
  private void phase(String what) {
    System.out.printf(
        Locale.ROOT, "STEP-TIMER-IT +%.1fs %s%n", (System.nanoTime() - testStart) / 1e9, what);
  }

  /** Prints the figures of a scenario and appends them to {@code figures.txt}. */
  private static void report(String figures) throws IOException {
    String row = Instant.now() + " " + figures;
    System.out.println("STEP-TIMER-IT " + row);
    Files.writeString(
        WORK.resolve("figures.txt"),
        row + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Runs psql as {@code user} on loopback (trust auth); fails on any error; answers its output. */
  private static String psql(String user, String database, String... commands) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qtA"));
    for (String sql : commands) {
      command.add("-c");
      command.add(sql);
    }
    Process psql = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    boolean ended = psql.waitFor(30, TimeUnit.SECONDS);
    assertThat(ended && psql.exitValue() == 0)
        .as("psql %s: %s", List.of(commands), output)
        .isTrue();
    return output;
  }
}
