package io.cascade.bench;

import io.cascade.support.SmscPeer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/** One local SMSC serving the SMS channel through provider {@code bench-smpp}, for the bench. */
public class BenchSmsc implements QuarkusTestResourceLifecycleManager {

  static final SmscPeer SMSC = new SmscPeer("bench");
  static final String PROVIDER = "bench-smpp";

  @Override
  public Map<String, String> start() {
    SMSC.start();
    String prefix = "cascade.provider." + PROVIDER + ".";
    Map<String, String> config = new HashMap<>();
    config.put("cascade.channel.sms.providers", PROVIDER);
    config.put(prefix + "type", "smpp");
    config.put(prefix + "timeout", "10s");
    config.put(prefix + "smpp.host", "127.0.0.1");
    config.put(prefix + "smpp.port", String.valueOf(SMSC.port));
    config.put(prefix + "smpp.system-id", "cascade");
    config.put(prefix + "smpp.source-address", "Cascade");
    config.put(prefix + "smpp.window", System.getProperty("bench.window", "32"));
    config.put(prefix + "smpp.receipt-workers", System.getProperty("bench.receipt-workers", "64"));
    return config;
  }

  @Override
  public void stop() {
    SMSC.stop();
  }
}
