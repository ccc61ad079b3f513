package io.cascade.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Tenants' webhook receivers on loopback: {@link #receiver()} answers 200 to everything unless a
 * test stubs its own path; {@link #slow()} answers nothing before the service's webhook timeout.
 * Tenants point their webhooks at these through the API, so nothing is configured here.
 */
public class WebhookReceivers implements QuarkusTestResourceLifecycleManager {

  private static WireMockServer receiver;
  private static WireMockServer slow;

  public static WireMockServer receiver() {
    return receiver;
  }

  public static WireMockServer slow() {
    return slow;
  }

  @Override
  public Map<String, String> start() {
    receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    receiver.start();
    receiver.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200)));
    slow = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    slow.start();
    slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    return Map.of();
  }

  @Override
  public void stop() {
    if (receiver != null) {
      receiver.stop();
    }
    if (slow != null) {
      slow.stop();
    }
  }
}
