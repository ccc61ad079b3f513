package io.cascade.support;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.ConfigProvider;

/** Direct AMQP access to the test vhost of the real broker, around the service. */
public final class Broker {

  private Broker() {}

  public static Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(5672);
    // The service's own vhost, which the environment may override (parallel test runs).
    factory.setVirtualHost(
        ConfigProvider.getConfig().getValue("rabbitmq-virtual-host", String.class));
    return factory.newConnection("cascade-test-client");
  }

  /**
   * Puts a queue entry for {@code messageId} on the dispatch queue, as a duplicate would arrive.
   */
  public static void publishDispatch(String messageId) throws Exception {
    try (Connection connection = connect();
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(
          "cascade",
          "dispatch",
          true,
          MessageProperties.PERSISTENT_TEXT_PLAIN,
          messageId.getBytes(StandardCharsets.US_ASCII));
      channel.waitForConfirmsOrDie(5000);
    }
  }
}
