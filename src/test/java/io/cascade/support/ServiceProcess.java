package io.cascade.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package}) as a
 * separate operating-system process, configured the way an operator would: environment variables
 * and {@code -D} system properties. Integration tests start several of them, kill one with {@code
 * kill -9} and start it again; the output of every start is appended to one log file under {@code
 * target/} so that a failure can be diagnosed.
 */
public final class ServiceProcess {

  public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Killed when the test JVM ends, should a test not get to it (an aborted build). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
  }

  public final String name;
  public final int port;

  /** The management interface's port: health, metrics. */
  public final int managementPort;

  private final Path log;
  private final Map<String, String> environment;
  private final Map<String, String> properties;
  private Process process;
  private Instant startedAt;

  /**
   * A process serving the API on {@code port} and its management interface on a free port; nothing
   * runs until {@link #start}.
   */
  public ServiceProcess(
      String name,
      int port,
      Path log,
      Map<String, String> environment,
      Map<String, String> properties) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.environment = new LinkedHashMap<>(environment);
    this.properties = new LinkedHashMap<>(properties);
    this.managementPort = freePort();
    this.environment.put("PORT", String.valueOf(port));
    this.environment.put("MANAGEMENT_PORT", String.valueOf(managementPort));
  }

  /** Starts the jar with the same JDK as the test; does not wait for it to be ready. */
  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is running already");
    }
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // C1 only: starts in about two thirds of the time on a small machine; peak speed is not tested.
    command.add("-XX:TieredStopAtLevel=1");
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(JAR.toString());
    startedAt = Instant.now();
    Files.writeString(
        log,
        "=== " + name + " started at " + startedAt + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
    RUNNING.add(process);
    process.onExit().thenAccept(RUNNING::remove);
  }

  /** When the last {@link #start} began. */
  public Instant startedAt() {
    return startedAt;
  }

  /**
   * Waits until {@code /q/health/ready} answers 200; fails with the log's tail if the process ends
   * or the time is up.
   */
  public Instant awaitReady(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with " + process.exitValue() + " before it was ready:\n" + tail(80));
      }
      try {
        HttpResponse<Void> ready =
            HTTP.send(
                HttpRequest.newBuilder(managementUri("/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          return Instant.now();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " was not ready within " + atMost + ":\n" + tail(80));
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is handed back. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A graceful stop (SIGTERM), forced after 15 s. */
  public synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** {@code path} on the management interface, e.g. {@code /q/metrics}. */
  public URI managementUri(String path) {
    return URI.create("http://127.0.0.1:" + managementPort + path);
  }

  /** The last {@code lines} lines of the log, headed by its path. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- "
          + log
          + " (last "
          + Math.min(lines, all.size())
          + " lines) ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "--- " + log + ": " + e + " ---";
    }
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
