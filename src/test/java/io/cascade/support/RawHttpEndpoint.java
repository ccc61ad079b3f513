package io.cascade.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 endpoint on a raw socket, for answers a well-behaved server never gives: a redirect
 * into the service's own network, a body without end, a status line trickled a byte at a time. It
 * records each request line, and how many bytes it managed to write before the peer went away.
 */
public final class RawHttpEndpoint implements AutoCloseable {

  /** What the endpoint does once it has read a request. */
  public interface Behaviour {
    void answer(OutputStream out) throws IOException, InterruptedException;
  }

  /** One request as read, and when the connection it came on was found closed (or null). */
  public record Request(String line, Instant at) {}

  private final ServerSocket server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final List<Instant> cutOff = new CopyOnWriteArrayList<>();
  private volatile Behaviour behaviour = out -> write(out, "HTTP/1.1 204 No Content\r\n\r\n");

  /** Listens on {@code address}, port {@code port} (0: any free one). */
  public RawHttpEndpoint(String address, int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
    executor.execute(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code http://<address>:<port><path>}. */
  public String url(String path) {
    return "http://" + server.getInetAddress().getHostAddress() + ":" + port() + path;
  }

  public void behave(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  /** Answers with {@code raw}, written as it is (status line, headers, body). */
  public void answer(String raw) {
    behave(out -> write(out, raw));
  }

  /** Answers {@code status} with a chunked body that never ends. */
  public void endlessBody(int status) {
    behave(
        out -> {
          write(out, "HTTP/1.1 " + status + " X\r\nTransfer-Encoding: chunked\r\n\r\n");
          byte[] chunk =
              ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
          while (true) {
            out.write(chunk);
            bytesWritten.addAndGet(chunk.length);
          }
        });
  }

  /** Writes a status line one byte every {@code pause} ms, and never finishes it. */
  public void trickle(long pause) {
    behave(
        out -> {
          byte[] line = "HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; ; i++) {
            out.write(i < line.length ? line[i] : 'x');
            out.flush();
            bytesWritten.incrementAndGet();
            Thread.sleep(pause);
          }
        });
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Bytes written by endless or trickled answers before the peer closed the connection. */
  public long bytesWritten() {
    return bytesWritten.get();
  }

  /** When each endless or trickled answer found its connection closed by the peer. */
  public List<Instant> cutOff() {
    return List.copyOf(cutOff);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        executor.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      requests.add(new Request(head.lines().findFirst().orElse(""), Instant.now()));
      in.readNBytes(contentLength(head));
      OutputStream out = socket.getOutputStream();
      try {
        behaviour.answer(out);
        out.flush();
      } catch (IOException closedByPeer) {
        cutOff.add(Instant.now());
      }
    } catch (IOException | InterruptedException e) {
      // The connection is gone; nothing to record.
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }

  private static void write(OutputStream out, String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Override
  public void close() throws IOException {
    server.close();
    executor.shutdownNow();
  }
}
