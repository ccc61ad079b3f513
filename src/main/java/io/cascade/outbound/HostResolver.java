package io.cascade.outbound;

import io.smallrye.mutiny.Uni;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.dns.DnsClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every address (A and AAAA) of a tenant's host: from the system's resolver (hosts file, DNS, the
 * JVM's cache), or from the DNS servers {@code cascade.outbound.dns-servers} names.
 */
@ApplicationScoped
class HostResolver {

  private final Vertx vertx;
  private final OutboundConfig config;
  private final List<DnsClient> servers = new ArrayList<>();

  HostResolver(Vertx vertx, OutboundConfig config) {
    this.vertx = vertx;
    this.config = config;
    for (String server : config.dnsServers().orElse(List.of())) {
      int colon = server.lastIndexOf(':');
      DnsClientOptions options =
          new DnsClientOptions()
              .setHost(colon < 0 ? server : server.substring(0, colon))
              .setPort(colon < 0 ? 53 : Integer.parseInt(server.substring(colon + 1)))
              .setQueryTimeout(config.resolveTimeout().toMillis());
      servers.add(vertx.createDnsClient(options));
    }
  }

  /** The addresses of {@code host}, never empty; fails with {@link UnknownHostException}. */
  Uni<List<InetAddress>> resolve(String host) {
    Uni<List<InetAddress>> addresses =
        servers.isEmpty()
            // getaddrinfo blocks: on a worker thread, answered back on the caller's context.
            ? vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false)
            : ask(0, host);
    return addresses
        .ifNoItem()
        .after(config.resolveTimeout())
        .failWith(() -> new UnknownHostException(host + ": no answer within the resolve timeout"));
  }

  /** Asks the {@code index}th server, and the next one when it does not answer. */
  private Uni<List<InetAddress>> ask(int index, String host) {
    DnsClient server = servers.get(index);
    Uni<List<InetAddress>> answer =
        Uni.combine()
            .all()
            .unis(
                server.resolveA(host).onFailure().recoverWithItem(List.of()),
                server.resolveAAAA(host).onFailure().recoverWithItem(List.of()))
            .with(
                (ipv4, ipv6) -> {
                  List<InetAddress> found = new ArrayList<>();
                  for (String address : ipv4) {
                    found.add(literal(address));
                  }
                  for (String address : ipv6) {
                    found.add(literal(address));
                  }
                  if (found.isEmpty()) {
                    throw new NoAddresses(host);
                  }
                  return found;
                });
    if (index + 1 == servers.size()) {
      return answer.onFailure(NoAddresses.class).transform(e -> new UnknownHostException(host));
    }
    return answer.onFailure(NoAddresses.class).recoverWithUni(() -> ask(index + 1, host));
  }

  private static InetAddress literal(String address) {
    return IpLiterals.parse(address)
        .orElseThrow(() -> new IllegalStateException(address + " is not an address"));
  }

  /** A server answered nothing for the host (or did not answer): ask the next. */
  private static final class NoAddresses extends RuntimeException {
    NoAddresses(String host) {
      super(host, null, false, false);
    }
  }
}
