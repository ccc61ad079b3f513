package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the service at RabbitMQ through a {@link TcpProxy}, so a test can take the broker away.
 */
public class RabbitProxy implements QuarkusTestResourceLifecycleManager {

  private static volatile TcpProxy proxy;

  /** The running proxy. */
  public static TcpProxy get() {
    return proxy;
  }

  @Override
  public Map<String, String> start() {
    proxy = new TcpProxy(5672);
    return Map.of("rabbitmq-port", String.valueOf(proxy.port()));
  }

  @Override
  public void stop() {
    proxy.breakConnections();
  }
}
