package io.cascade.dispatch;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.cascade.support.Broker;
import io.cascade.support.Metrics;
import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Queue entries the broker holds for no consumer that works on them, as RabbitMQ 3.10 does after a
 * leader election (docs/reliability.md): found within seconds, not after the stall limit (30 s in
 * tests). The broker really holds them here: a consumer of the test's own takes a delivery and
 * never settles it, or the broker's process for one of the service's consumer channels is
 * suspended, so that the deliveries meant for it reach nobody.
 */
@QuarkusTest
class HeldDeliveriesTest {

  private static final String QUEUE = "cascade.dispatch";

  @Test
  void aHeldMessageThatLaterOnesPassedIsRepublishedWithinSeconds() throws Exception {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    double passedBefore = redrivenPassed();
    try (Connection connection = Broker.connect()) {
      CompletableFuture<String> held = holdOne(connection.createChannel(), QUEUE);
      List<String> ids = new ArrayList<>();
      // Round robin over the service's consumers and this one: one of the first few is held.
      for (int i = 0; i < 30; i++) {
        ids.add(send(key, message(List.of(sms()))));
      }
      String heldId = held.get(10, TimeUnit.SECONDS);
      assertThat(ids).contains(heldId);

      for (String id : ids) {
        awaitStatus(key, id, "delivered", Duration.ofSeconds(10));
      }
      assertThat(redrivenPassed() - passedBefore).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void aHeldLastMessageIsRepublishedOnceTheQueueIsEmpty() throws Exception {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    double passedBefore = redrivenPassed();
    try (Connection connection = Broker.connect()) {
      CompletableFuture<String> held = holdOne(connection.createChannel(), QUEUE);
      // Sent until the held one is the last: no later message passes it, only the empty queue.
      List<String> ids = new ArrayList<>();
      while (!held.isDone() && ids.size() < 50) {
        ids.add(send(key, message(List.of(sms()))));
        Thread.sleep(200);
      }
      String heldId = held.get(1, TimeUnit.SECONDS);
      assertThat(ids.get(ids.size() - 1)).isEqualTo(heldId);

      long start = System.nanoTime();
      awaitStatus(key, heldId, "delivered", Duration.ofSeconds(10));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(redrivenPassed() - passedBefore).isGreaterThanOrEqualTo(1);
    }
  }

  /**
   * The broker's process for the channel of the service's only consumer of high-priority messages
   * is suspended: it keeps the deliveries meant for that consumer (up to its prefetch, 128) and the
   * consumer receives nothing while the queue fills. The consumer consumes anew on another channel,
   * which gets the ready messages; the held ones are republished once the queue is passed.
   */
  @Test
  void aConsumerTheBrokerStoppedSendingToConsumesAnewAndHeldMessagesGetThrough() throws Exception {
    TestApi.resetProviders();
    String key = TestApi.newTenant().key();
    String vhost = ConfigProvider.getConfig().getValue("rabbitmq-virtual-host", String.class);
    double recyclesBefore = Metrics.sum("cascade_broker_consumer_recycles_total");
    List<String> suspended = channelsOfConsumers(vhost, QUEUE + ".high", "suspend");
    assertThat(suspended).hasSize(1);
    try {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Map<String, Object> body = new HashMap<>(message(List.of(sms())));
        body.put("priority", "high");
        ids.add(send(key, body));
      }
      for (String id : ids) {
        awaitStatus(key, id, "delivered", Duration.ofSeconds(30));
      }
      assertThat(Metrics.sum("cascade_broker_consumer_recycles_total") - recyclesBefore)
          .isGreaterThanOrEqualTo(1);
    } finally {
      // A process the broker closed since (the consumer's old channel) is gone: hence catch.
      rabbitmqctlEval(
          "[catch sys:resume(list_to_pid(P)) || P <- " + erlangStrings(suspended) + "], ok.");
    }
  }

  private static double redrivenPassed() {
    return Metrics.sum("cascade_messages_redriven_total", "reason=\"passed\"");
  }

  /** Consumes one delivery of {@code queue} and never settles it; completes with its message id. */
  private static CompletableFuture<String> holdOne(Channel channel, String queue)
      throws IOException {
    CompletableFuture<String> held = new CompletableFuture<>();
    channel.basicQos(1);
    channel.basicConsume(
        queue,
        false,
        new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            held.complete(new String(body, StandardCharsets.US_ASCII));
          }
        });
    return held;
  }

  /**
   * Applies {@code sys:<action>} to the broker's channel processes of the consumers of {@code
   * queue}; their pids.
   */
  private static List<String> channelsOfConsumers(String vhost, String queue, String action)
      throws Exception {
    String output =
        rabbitmqctlEval(
            "Pids = [proplists:get_value(channel_pid, C)"
                + " || C <- rabbit_amqqueue:consumers_all(<<\""
                + vhost
                + "\">>), element(4, proplists:get_value(queue_name, C)) =:= <<\""
                + queue
                + "\">>], [sys:"
                + action
                + "(P) || P <- Pids], io:format(\"~s~n\", [string:join([pid_to_list(P) || P <-"
                + " Pids], \",\")]).");
    List<String> pids = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("<")) {
        pids.addAll(List.of(line.trim().split(",")));
      }
    }
    return pids;
  }

  private static String erlangStrings(List<String> values) {
    return "[" + String.join(",", values.stream().map(v -> "\"" + v + "\"").toList()) + "]";
  }

  private static String rabbitmqctlEval(String expression) throws Exception {
    Process process =
        new ProcessBuilder("rabbitmqctl", "eval", expression).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
