package io.cascade.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tenant's webhook endpoint on loopback (the JDK's HTTP server): records every POSTed event as
 * received, duplicates included, with what it answered: {@code 204}, or what {@link #answer} set.
 */
public final class WebhookSink implements AutoCloseable {

  /** One POST as received. */
  public record Received(
      String eventId, String type, String messageId, Instant receivedAt, int status) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile int status = 204;

  public WebhookSink() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/events",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            JsonNode event = JSON.readTree(body);
            int answer = status;
            received.add(
                new Received(
                    event.path("id").asText(),
                    event.path("type").asText(),
                    event.path("messageId").asText(),
                    Instant.now(),
                    answer));
            exchange.sendResponseHeaders(answer, -1);
          } catch (IOException e) {
            exchange.sendResponseHeaders(400, -1);
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  /** Answers every POST from now on with {@code status} (204 at first). */
  public void answer(int status) {
    this.status = status;
  }

  /** The URL to set as the tenant's webhook. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** The distinct ids of the events of {@code type} received, per message id. */
  public Map<String, Set<String>> eventIds(String type) {
    Map<String, Set<String>> ids = new HashMap<>();
    for (Received event : received) {
      if (event.type().equals(type)) {
        ids.computeIfAbsent(event.messageId(), ignored -> new HashSet<>()).add(event.eventId());
      }
    }
    return ids;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
