package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The SMSCs of {@link SmscPeers} for SMS and the WireMock APIs of {@link WireMockPeer} for the
 * other channels (WhatsApp: {@code wa}, then the simulator), for tests of steps that wait for
 * receipts.
 */
public class StepPeers implements QuarkusTestResourceLifecycleManager {

  private final WireMockPeer wireMock = new WireMockPeer();
  private final SmscPeers smscs = new SmscPeers();

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(wireMock.start());
    config.putAll(smscs.start()); // SMS over the SMSCs rather than Twilio
    return config;
  }

  @Override
  public void stop() {
    smscs.stop();
    wireMock.stop();
  }
}
