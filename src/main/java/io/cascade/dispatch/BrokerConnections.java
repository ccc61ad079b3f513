package io.cascade.dispatch;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Opens connections to the broker for the publisher and the consumers: to any live node of the
 * configured list ({@code rabbitmq-addresses}, or {@code rabbitmq-host}/{@code rabbitmq-port}),
 * with the heartbeat and timeouts of {@link BrokerConfig}. Recovery is left to the callers, which
 * know what was in flight; the client's automatic recovery would replay acks and publishes on a new
 * channel where their delivery tags and sequence numbers mean nothing.
 */
@ApplicationScoped
public class BrokerConnections {

  private final ConnectionFactory factory;
  private final List<Address> nodes;

  BrokerConnections(
      BrokerConfig config,
      @ConfigProperty(name = "rabbitmq-host", defaultValue = "localhost") String host,
      @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672") int port,
      @ConfigProperty(name = "rabbitmq-addresses") Optional<String> addresses,
      @ConfigProperty(name = "rabbitmq-username", defaultValue = "guest") String username,
      @ConfigProperty(name = "rabbitmq-password", defaultValue = "guest") String password,
      @ConfigProperty(name = "rabbitmq-virtual-host", defaultValue = "/") String virtualHost) {
    this.nodes =
        addresses
            .filter(list -> !list.isBlank())
            .map(list -> List.of(Address.parseAddresses(list)))
            .orElse(List.of(new Address(host, port)));
    this.factory = new ConnectionFactory();
    factory.setUsername(username);
    factory.setPassword(password);
    factory.setVirtualHost(virtualHost);
    // One bound for every step of talking to a node: a frozen node accepts TCP connections but
    // never finishes the handshake or answers a declare, and the client's own defaults (10 s
    // handshake, 10 min per channel RPC) would hold the publisher thread that long.
    int timeoutMillis = (int) config.connectionTimeout().toMillis();
    factory.setConnectionTimeout(timeoutMillis);
    factory.setHandshakeTimeout(timeoutMillis);
    factory.setChannelRpcTimeout(timeoutMillis);
    factory.setRequestedHeartbeat((int) Math.max(1, config.heartbeat().toSeconds()));
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
  }

  /**
   * Connects to the first node that answers, trying them in random order (to spread clients over
   * the cluster) with {@code avoid}, if given, last: a node that just failed is not picked again
   * while others are up.
   */
  public Connection open(String name, Address avoid) throws IOException, TimeoutException {
    List<Address> order = new ArrayList<>(nodes);
    Collections.shuffle(order);
    if (avoid != null && order.remove(avoid)) {
      order.add(avoid);
    }
    return factory.newConnection(order, name);
  }

  /** A configured node, and whether it accepted a TCP connection just now. */
  public record NodeReach(String address, boolean reachable) {}

  /**
   * Tries a TCP connection to every configured node (blocking, at most {@code timeout} each): a
   * node that refuses or does not answer is down as far as this replica can tell.
   */
  public List<NodeReach> reachability(Duration timeout) {
    List<NodeReach> reach = new ArrayList<>();
    for (Address node : nodes) {
      int port = node.getPort() > 0 ? node.getPort() : ConnectionFactory.DEFAULT_AMQP_PORT;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(node.getHost(), port), (int) timeout.toMillis());
        reach.add(new NodeReach(node.getHost() + ":" + port, true));
      } catch (IOException e) {
        reach.add(new NodeReach(node.getHost() + ":" + port, false));
      }
    }
    return reach;
  }

  /** The node a connection is attached to, comparable with the configured addresses. */
  public static Address nodeOf(Connection connection) {
    return new Address(connection.getAddress().getHostAddress(), connection.getPort());
  }
}
