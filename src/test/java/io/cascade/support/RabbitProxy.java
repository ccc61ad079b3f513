package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between the service and the real RabbitMQ, so a test can take the broker away (every
 * connection cut, new ones refused) and bring it back without disturbing the broker itself.
 */
public class RabbitProxy implements QuarkusTestResourceLifecycleManager {

  private static final int BROKER_PORT = 5672;
  private static volatile RabbitProxy instance;

  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private int port;

  /** The running proxy. */
  public static RabbitProxy get() {
    return instance;
  }

  @Override
  public Map<String, String> start() {
    try {
      listen(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the RabbitMQ proxy", e);
    }
    instance = this;
    return Map.of("rabbitmq-port", String.valueOf(port));
  }

  @Override
  public void stop() {
    breakConnections();
  }

  /** The broker is gone: open connections are cut and new ones refused. */
  public synchronized void breakConnections() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    server = null;
    sockets.forEach(RabbitProxy::closeQuietly);
    sockets.clear();
  }

  /** The broker is back on the same port. */
  public synchronized void restore() throws IOException {
    if (server == null) {
      listen(port);
    }
  }

  private void listen(int requestedPort) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort));
    port = socket.getLocalPort();
    server = socket;
    Thread acceptor = new Thread(() -> acceptLoop(socket), "rabbit-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket broker = new Socket(InetAddress.getLoopbackAddress(), BROKER_PORT);
        sockets.add(client);
        sockets.add(broker);
        pump(client, broker);
        pump(broker, client);
      } catch (IOException e) {
        // server closed or broker unreachable: the client sees a dropped connection
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                  out.write(buffer, 0, n);
                }
              } catch (IOException e) {
                // connection cut
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "rabbit-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
