package io.cascade.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of a local service (RabbitMQ, PostgreSQL), so a test can take
 * the service away (every connection cut, new ones refused) and bring it back without disturbing
 * the service itself.
 */
public class TcpProxy {

  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private int port;

  /** Starts listening on a free port, forwarding to {@code targetPort} on loopback. */
  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      listen(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a proxy to port " + targetPort, e);
    }
  }

  /** The port the proxy listens on. */
  public int port() {
    return port;
  }

  /** The service is gone: open connections are cut and new ones refused. */
  public synchronized void breakConnections() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    server = null;
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  /** The service is back on the same port. */
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
    Thread acceptor = new Thread(() -> acceptLoop(socket), "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(broker);
        pump(client, broker);
        pump(broker, client);
      } catch (IOException e) {
        // server closed or service unreachable: the client sees a dropped connection
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
            "tcp-proxy-pump");
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
