package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Four SMSCs for the SMS channel of the tests: carriers a and b hot (equal weight), c warm (paced
 * to {@link #C_THROUGHPUT} submits per second) and d cold, all over SMPP with short timeouts and
 * quick rebinds.
 */
public class SmscPeers implements QuarkusTestResourceLifecycleManager {

  public static final SmscPeer A = new SmscPeer("a");
  public static final SmscPeer B = new SmscPeer("b");
  public static final SmscPeer C = new SmscPeer("c");
  public static final SmscPeer D = new SmscPeer("d");
  public static final int C_THROUGHPUT = 20;

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    config.put("cascade.channel.sms.providers", "carrier-a,carrier-b,carrier-c,carrier-d");
    carrier(config, A, "hot");
    carrier(config, B, "hot");
    carrier(config, C, "warm");
    carrier(config, D, "cold");
    config.put("cascade.provider.carrier-c.smpp.throughput", String.valueOf(C_THROUGHPUT));
    return config;
  }

  private static void carrier(Map<String, String> config, SmscPeer peer, String standby) {
    peer.start();
    String prefix = "cascade.provider.carrier-" + peer.name + ".";
    config.put(prefix + "type", "smpp");
    config.put(prefix + "standby", standby);
    config.put(prefix + "timeout", "2s");
    config.put(prefix + "retries", "0");
    // The tests decide which carrier fails; no circuit should second-guess them.
    config.put(prefix + "circuit-breaker.request-volume", "100000");
    config.put(prefix + "smpp.host", "127.0.0.1");
    config.put(prefix + "smpp.port", String.valueOf(peer.port));
    config.put(prefix + "smpp.system-id", "cascade");
    config.put(prefix + "smpp.password", "secret");
    config.put(prefix + "smpp.source-address", "Cascade");
    config.put(prefix + "smpp.enquire-link", "1s");
    config.put(prefix + "smpp.rebind-delay", "100ms");
    config.put(prefix + "smpp.rebind-max-delay", "500ms");
  }

  @Override
  public void stop() {
    for (SmscPeer peer : new SmscPeer[] {A, B, C, D}) {
      peer.stop();
    }
  }
}
