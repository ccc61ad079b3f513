package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the service at the test database through a {@link TcpProxy}, so a test can take PostgreSQL
 * away (every connection cut, new ones refused) and bring it back.
 */
public class PostgresProxy implements QuarkusTestResourceLifecycleManager {

  private static volatile TcpProxy proxy;

  /** The running proxy. */
  public static TcpProxy get() {
    return proxy;
  }

  @Override
  public Map<String, String> start() {
    proxy = new TcpProxy(5432);
    String address = "127.0.0.1:" + proxy.port() + "/cascade_test";
    return Map.of(
        "quarkus.datasource.reactive.url", "postgresql://" + address,
        "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + address);
  }

  @Override
  public void stop() {
    proxy.breakConnections();
  }
}
