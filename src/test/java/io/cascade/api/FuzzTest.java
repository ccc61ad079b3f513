package io.cascade.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of generated requests, valid ones bent out of shape, over raw sockets (so headers and
 * paths can hold bytes a well-behaved client refuses to send), against every endpoint, as a tenant,
 * as the admin and as nobody: no answer is a {@code 5xx}, and only the requests answered with a
 * success stored anything. The seed is in the failure message; {@code -Dfuzz.seed=} replays it.
 */
@QuarkusTest
class FuzzTest {

  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3_000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int PORT = 8081;

  /** What a request that got no answer within 15 s counts as: a server error. */
  private static final int NO_ANSWER_IN_TIME = 599;

  @Inject Pool database;

  private Random random;
  private String key;
  private String otherKey;
  private UUID otherTenant;

  /** One answer: the status (0 when the server closed the connection without one). */
  private record Sent(String method, String target, int status) {}

  @AfterEach
  void resetSimulators() {
    TestApi.resetProviders();
  }

  @Test
  void noInputYieldsAServerErrorOrStoresWhatWasRefused() throws IOException {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    random = new Random(seed);
    TestApi.Tenant tenant = TestApi.newTenant();
    key = tenant.key();
    TestApi.Tenant other = TestApi.newTenant();
    otherKey = other.key();
    otherTenant = other.id();
    long tenantsBefore = count("SELECT count(*) FROM tenant", Tuple.tuple());

    List<Sent> serverErrors = new ArrayList<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    int accepted = 0;
    int tenantsCreated = 0;
    String webhook = null; // the tenant's webhook URL as the answers say it should be
    for (int i = 0; i < REQUESTS; i++) {
      Request request = next();
      int status = send(request);
      statuses.merge(status, 1, Integer::sum);
      if (status >= 500) {
        serverErrors.add(new Sent(request.method, request.target, status));
      }
      boolean asTenant = request.asTenant;
      if (request.target.equals("/v1/messages") && request.method.equals("POST")) {
        accepted += asTenant && status == 202 ? 1 : 0;
      } else if (request.target.equals("/admin/v1/tenants") && request.method.equals("POST")) {
        tenantsCreated += status == 201 ? 1 : 0;
      } else if (request.target.equals("/v1/webhook") && asTenant) {
        if (request.method.equals("PUT") && status == 200) {
          webhook = JSON.readTree(request.body).path("url").asText();
        } else if (request.method.equals("DELETE") && status == 204) {
          webhook = null;
        }
      }
    }

    String replay = "seed " + seed + " (-Dfuzz.seed=" + seed + "), answers " + statuses;
    assertThat(serverErrors).as(replay).isEmpty();
    assertThat(statuses.keySet()).as(replay).contains(202, 400);
    assertThat(count("SELECT count(*) FROM message WHERE tenant_id = $1", Tuple.of(tenant.id())))
        .as("messages stored = 202 answers; " + replay)
        .isEqualTo(accepted);
    assertThat(count("SELECT count(*) FROM tenant", Tuple.tuple()) - tenantsBefore)
        .as("tenants stored = 201 answers; " + replay)
        .isEqualTo(tenantsCreated);
    List<String> urls = new ArrayList<>();
    for (Row row :
        database
            .preparedQuery("SELECT url FROM tenant_webhook WHERE tenant_id = $1")
            .execute(Tuple.of(tenant.id()))
            .await()
            .atMost(Duration.ofSeconds(5))) {
      urls.add(row.getString("url"));
    }
    assertThat(urls)
        .as("the webhook is what the last success set; " + replay)
        .isEqualTo(webhook == null ? List.of() : List.of(webhook));
  }

  // ------------------------------------------------------------------ generation

  /** A request to send: every part may be odd. */
  private static final class Request {
    String method;
    String target;
    String bearer; // null: no Authorization header
    String authorization; // raw header value, when not a bearer
    boolean asTenant; // whether the request carries the tenant's key, however spelled
    String contentType = "application/json";
    final Map<String, byte[]> headers = new TreeMap<>();
    byte[] body = new byte[0];
  }

  private Request next() {
    Request request = new Request();
    switch (random.nextInt(11)) {
      case 0, 1, 2, 3 -> sendMessage(request);
      case 4 -> readMessages(request);
      case 5 -> webhook(request);
      case 6 -> admin(request);
      case 7 -> providerCallback(request);
      case 8 -> events(request);
      case 9 -> {
        if (random.nextBoolean()) {
          keys(request);
        } else {
          tenantAdmin(request);
        }
      }
      default -> anything(request);
    }
    authenticate(request);
    if (random.nextInt(12) == 0) {
      request.contentType =
          pick(
              "text/plain",
              null,
              "application/json; charset=ISO-8859-1",
              "application/json;charset=\"utf-16\"",
              "application/x-www-form-urlencoded",
              "application/json, text/plain",
              "*/*",
              "application/json\u0001");
    }
    return request;
  }

  private void sendMessage(Request request) {
    request.method = random.nextInt(20) == 0 ? pick("PUT", "PATCH", "DELETE") : "POST";
    request.target = "/v1/messages";
    ObjectNode message = NODES.objectNode();
    ArrayNode route = message.putArray("route");
    for (int i = 0, steps = 1 + random.nextInt(3); i < steps; i++) {
      ObjectNode step = route.addObject();
      String channel = pick("sms", "whatsapp", "push", "email", "voice");
      step.put("channel", channel);
      step.put(
          "to",
          switch (channel) {
            case "email" -> "someone@example.com";
            case "push" -> "device-token-" + random.nextInt(1000);
            default -> "+49172" + (1_000_000 + random.nextInt(9_000_000));
          });
      if (channel.equals("email")) {
        step.put("subject", "Your code");
      }
      if (random.nextBoolean()) {
        step.put("waitFor", pick("sent", "delivered", "read"));
        step.put("timeoutSeconds", 5 + random.nextInt(100));
      }
    }
    message.put("text", "Your code is " + random.nextInt(1_000_000));
    if (random.nextBoolean()) {
      message.put("reference", "order-" + random.nextInt(100));
    }
    if (random.nextInt(4) == 0) {
      message.put("validitySeconds", 10 + random.nextInt(1000));
    }
    if (random.nextInt(6) == 0) {
      message.put("priority", pick("high", "normal", "bulk", "urgent"));
    }
    if (random.nextInt(8) == 0) {
      message.put("callbackUrl", pick("http://127.0.0.1:9/cb", "http://169.254.169.254/", "x"));
    }
    if (random.nextInt(5) == 0) {
      request.headers.put("Idempotency-Key", bytes(oddString()));
    }
    request.body = body(message);
  }

  private void readMessages(Request request) {
    request.method = random.nextInt(15) == 0 ? pick("POST", "DELETE", "HEAD", "OPTIONS") : "GET";
    if (random.nextBoolean()) {
      request.target = "/v1/messages/" + pathSegment();
      return;
    }
    StringBuilder query = new StringBuilder("/v1/messages?");
    for (String name : List.of("status", "reference", "limit", "cursor")) {
      if (random.nextBoolean()) {
        query.append(name).append('=').append(queryValue()).append('&');
      }
    }
    request.target = query.toString();
  }

  private void events(Request request) {
    request.method = "GET";
    request.target = "/v1/messages/" + pathSegment() + "/events";
  }

  private void webhook(Request request) {
    request.target = "/v1/webhook";
    request.method = pick("PUT", "PUT", "PUT", "GET", "DELETE", "POST");
    ObjectNode body = NODES.objectNode();
    body.put(
        "url",
        pick(
            "http://127.0.0.1:9/hook",
            "https://127.0.0.1:9/hook",
            "http://127.0.0.1:8081/admin/v1/tenants",
            "http://[::1]/",
            "http://2130706433/",
            "ftp://127.0.0.1/",
            "http://127.0.0.1:9/a\r\nX-Injected: 1",
            "http://" + "a".repeat(3000) + "/",
            "not a url"));
    request.body = body(body);
  }

  private void admin(Request request) {
    if (random.nextBoolean()) {
      request.method = pick("POST", "POST", "GET", "DELETE");
      request.target = "/admin/v1/tenants";
      ObjectNode body = NODES.objectNode();
      body.put("name", "fuzz-" + random.nextInt(1_000_000));
      request.body = body(body);
    } else {
      request.method = pick("PUT", "PUT", "GET");
      request.target =
          "/admin/v1/simulator"
              + (request.method.equals("GET")
                  ? ""
                  : "/" + pick("sms", "whatsapp", "push", "email", "voice", "fax", "%00", ""));
      ObjectNode body = NODES.objectNode();
      body.put("mode", pick("ok", "fail", "reject", "OK", ""));
      body.put("latencyMs", random.nextInt(100));
      request.body = body(body);
    }
    request.bearer = random.nextInt(4) == 0 ? null : TestApi.ADMIN_TOKEN;
  }

  /** The tenant's own keys: creates some (up to the cap), revokes none of those it uses. */
  private void keys(Request request) {
    request.method = pick("POST", "GET", "DELETE", "PUT");
    request.target = request.method.equals("DELETE") ? "/v1/keys/" + pathSegment() : "/v1/keys";
    ObjectNode body = NODES.objectNode();
    body.set("name", random.nextBoolean() ? NODES.textNode("fuzz") : oddValue());
    request.body = random.nextInt(5) == 0 ? bytes(oddString()) : body(body);
  }

  /** The admin's tenant endpoints, on the other tenant (never the one sending) or on junk ids. */
  private void tenantAdmin(Request request) {
    String id = random.nextBoolean() ? otherTenant.toString() : pathSegment();
    String action = pick("", "/disable", "/enable", "/keys", "/limits", "/keys/" + pathSegment());
    request.target = "/admin/v1/tenants/" + id + action;
    request.method =
        switch (action) {
          case "/disable", "/enable" -> pick("POST", "GET");
          case "/limits" -> pick("PUT", "PUT", "GET");
          case "/keys" -> pick("GET", "POST");
          case "" -> pick("GET", "DELETE");
          default -> pick("DELETE", "GET");
        };
    if (random.nextInt(8) == 0) {
      request.target =
          "/admin/v1/tenants?limit=" + pick("0", "101", "x", "50") + "&cursor=" + pathSegment();
      request.method = "GET";
    }
    ObjectNode body = NODES.objectNode();
    body.set("messagesPerSecond", random.nextBoolean() ? NODES.numberNode(1_000_000) : oddValue());
    body.set("dailyQuota", random.nextBoolean() ? NODES.nullNode() : oddValue());
    body.set("name", oddValue());
    request.body = body(body);
    request.bearer = random.nextInt(4) == 0 ? null : TestApi.ADMIN_TOKEN;
  }

  private void providerCallback(Request request) {
    if (random.nextBoolean()) {
      request.method = "POST";
      request.target = "/providers/" + pick("twilio-a", "nope", "%2e%2e") + "/twilio/status";
      request.contentType = "application/x-www-form-urlencoded";
      request.body =
          bytes(
              "MessageSid=SM"
                  + random.nextInt()
                  + "&MessageStatus="
                  + pick("delivered", "failed", "x", "")
                  + "&ErrorCode="
                  + queryValue());
      request.headers.put("X-Twilio-Signature", bytes(oddString()));
    } else {
      request.method = pick("POST", "GET");
      request.target =
          "/providers/"
              + pick("whatsapp-a", "nope")
              + "/whatsapp/webhook"
              + (request.method.equals("GET")
                  ? "?hub.mode=subscribe&hub.verify_token=" + queryValue() + "&hub.challenge=1"
                  : "");
      ObjectNode body = NODES.objectNode();
      body.putArray("entry")
          .addObject()
          .putArray("changes")
          .addObject()
          .putObject("value")
          .putArray("statuses")
          .addObject()
          .put("id", "wamid." + random.nextInt())
          .put("status", pick("delivered", "read", "failed", "?"));
      request.body = body(body);
      request.headers.put("X-Hub-Signature-256", bytes("sha256=" + oddString()));
    }
  }

  /** Any method on any path, known or not. */
  private void anything(Request request) {
    request.method = pick("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE");
    request.target =
        pick(
                "/",
                "/v1",
                "/v1/",
                "/v1/messages/",
                "/admin",
                "/admin/v1/tenants/x",
                "/q/health",
                "/q/metrics",
                "/v2/messages",
                "//v1/messages",
                "/v1/messages/../admin/v1/tenants",
                "/v1/%2e%2e/admin",
                "/%00",
                "/" + "x".repeat(5000),
                "/v1/messages?%ZZ=1",
                "*")
            + (random.nextBoolean() ? "" : "?" + queryValue());
    if (random.nextBoolean()) {
      request.body = bytes(oddString());
    }
  }

  private void authenticate(Request request) {
    if (request.target.startsWith("/admin")) {
      return; // chosen in admin()
    }
    int roll = random.nextInt(20);
    if (roll < 14) {
      request.bearer = key;
      request.asTenant = true;
    } else if (roll < 16) {
      request.bearer = otherKey;
    } else if (roll == 16) {
      request.bearer = null;
    } else if (roll == 17) {
      request.bearer = "csk_" + UUID.randomUUID();
    } else if (roll == 18) {
      // The scheme is case-insensitive and may be followed by more than one space (RFC 6750).
      request.authorization = pick("Bearer  " + key, "bearer " + key, "BEARER " + key);
      request.asTenant = true;
    } else {
      request.authorization =
          pick("Bearer", "Basic Zm9vOmJhcg==", oddString(), "Bearer " + key + "\u0000");
    }
  }

  /** The JSON of {@code tree}, mutated more often than not; sometimes not even JSON. */
  private byte[] body(ObjectNode tree) {
    if (random.nextInt(4) == 0) {
      return bytes(tree.toString());
    }
    switch (random.nextInt(8)) {
      case 0 -> {
        String json = tree.toString();
        return bytes(json.substring(0, random.nextInt(json.length() + 1))); // truncated
      }
      case 1 -> {
        byte[] json = bytes(tree.toString());
        json[random.nextInt(json.length)] = (byte) (0x80 + random.nextInt(0x80)); // bad UTF-8
        return json;
      }
      case 2 -> {
        return bytes(
            pick(
                "",
                "null",
                "[]",
                "\"x\"",
                "1",
                "{}",
                "\uFEFF{}",
                "{\"route\":",
                "[".repeat(5000) + "]".repeat(5000),
                "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)));
      }
      default -> {
        mutate(tree, 1 + random.nextInt(3));
        return bytes(tree.toString());
      }
    }
  }

  /** Replaces, removes or adds {@code times} values anywhere in the tree. */
  private void mutate(JsonNode tree, int times) {
    for (int t = 0; t < times; t++) {
      JsonNode node = tree;
      // Walk down to a random container.
      for (int depth = 0; depth < 4; depth++) {
        List<JsonNode> children = new ArrayList<>();
        node.elements()
            .forEachRemaining(
                child -> {
                  if (child.isContainerNode()) {
                    children.add(child);
                  }
                });
        if (children.isEmpty() || random.nextBoolean()) {
          break;
        }
        node = children.get(random.nextInt(children.size()));
      }
      if (node instanceof ObjectNode object) {
        List<String> names = new ArrayList<>();
        Iterator<String> fields = object.fieldNames();
        fields.forEachRemaining(names::add);
        int roll = random.nextInt(4);
        if (roll == 0 && !names.isEmpty()) {
          object.remove(names.get(random.nextInt(names.size())));
        } else if (roll == 1 || names.isEmpty()) {
          object.set(pick("unknown", "route", "text", "__proto__", ""), oddValue());
        } else {
          object.set(names.get(random.nextInt(names.size())), oddValue());
        }
      } else if (node instanceof ArrayNode array) {
        if (array.isEmpty() || random.nextBoolean()) {
          array.add(oddValue());
        } else {
          array.set(random.nextInt(array.size()), oddValue());
        }
      }
    }
  }

  private JsonNode oddValue() {
    return switch (random.nextInt(12)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.numberNode(random.nextInt(5) - 2);
      case 2 -> NODES.numberNode(new java.math.BigDecimal("1e400"));
      case 3 -> NODES.numberNode(new java.math.BigInteger("92233720368547758080"));
      case 4 -> NODES.numberNode(1.5);
      case 5 -> NODES.booleanNode(random.nextBoolean());
      case 6 -> NODES.arrayNode().add(oddString());
      case 7 -> NODES.objectNode().put(oddString(), oddString());
      case 8 -> NODES.arrayNode();
      default -> NODES.textNode(oddString());
    };
  }

  /** Strings that break naive code: control characters, surrogates, long, empty, injections. */
  private String oddString() {
    return switch (random.nextInt(14)) {
      case 0 -> "";
      case 1 -> "a\u0000b";
      case 2 -> "line\r\nX-Injected: yes";
      case 3 -> "\u0007\u001b[31m\u007f";
      case 4 -> "x".repeat(1 + random.nextInt(10_000));
      case 5 -> "\ud800"; // a lone surrogate
      case 6 -> "\u202e\u0645\u0631\u062d\u0628\u0627 \ud83d\ude00";
      case 7 -> "'; DROP TABLE message; --";
      case 8 -> "%00%ZZ%";
      case 9 -> "sms";
      case 10 -> "+491721234567";
      case 11 -> UUID.randomUUID().toString();
      case 12 -> "${jndi:ldap://127.0.0.1/x}";
      default -> Integer.toString(random.nextInt());
    };
  }

  private String pathSegment() {
    return pick(
        UUID.randomUUID().toString(),
        "not-a-uuid",
        "%00",
        "%ZZ",
        "..",
        "%2F",
        "x".repeat(3000),
        "00000000-0000-0000-0000-000000000000",
        "\u00e9",
        "%C3%28",
        "1;DROP",
        "%0d%0aX:1");
  }

  private String queryValue() {
    return pick(
        "sent",
        "delivered",
        "bogus",
        "%00",
        "%ZZ",
        "-1",
        "0",
        "101",
        "1e9",
        "abc",
        "%0d%0a",
        "AAAA",
        "!!!",
        "x".repeat(2000),
        "%E2%82",
        "+",
        "20",
        "eyJ4IjoxfQ");
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ the wire

  /** Writes the request as it is and reads the status of the answer; 0 when there was none. */
  private static int send(Request request) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(request.method + " " + request.target + " HTTP/1.1\r\n"));
    out.writeBytes(bytes("Host: 127.0.0.1:" + PORT + "\r\nConnection: close\r\n"));
    if (request.bearer != null) {
      out.writeBytes(bytes("Authorization: Bearer " + request.bearer + "\r\n"));
    } else if (request.authorization != null) {
      out.writeBytes(bytes("Authorization: " + request.authorization + "\r\n"));
    }
    if (request.contentType != null) {
      out.writeBytes(bytes("Content-Type: " + request.contentType + "\r\n"));
    }
    request.headers.forEach(
        (name, value) -> {
          out.writeBytes(bytes(name + ": "));
          out.writeBytes(value);
          out.writeBytes(bytes("\r\n"));
        });
    out.writeBytes(bytes("Content-Length: " + request.body.length + "\r\n\r\n"));
    out.writeBytes(request.body);
    try (Socket socket = new Socket("127.0.0.1", PORT)) {
      socket.setSoTimeout(15_000);
      InputStream in = socket.getInputStream();
      try {
        socket.getOutputStream().write(out.toByteArray());
      } catch (IOException answeredEarly) {
        // The server may answer (413, 401) and close before the whole body is in: read that.
      }
      byte[] line = new byte[12];
      int read;
      try {
        read = in.readNBytes(line, 0, 12);
      } catch (SocketTimeoutException hung) {
        return NO_ANSWER_IN_TIME;
      } catch (IOException reset) {
        return 0;
      }
      if (read < 12) {
        return 0;
      }
      return Integer.parseInt(new String(line, 9, 3, StandardCharsets.US_ASCII));
    }
  }

  private long count(String sql, Tuple arguments) {
    return database
        .preparedQuery(sql)
        .execute(arguments)
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getLong(0);
  }
}
