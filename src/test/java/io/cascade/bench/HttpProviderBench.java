package io.cascade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Channel;
import io.cascade.channel.GuardedProvider;
import io.cascade.channel.ProviderPool;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The HTTP providers against WireMock on loopback ({@link WireMockPeer}); run by {@code
 * bench/providers/run.sh}, not by the test suite. For each of Twilio, WhatsApp and FCM: sends per
 * second through the guarded provider; for Twilio and WhatsApp also signed status callbacks per
 * second into Cascade, every one stored (lost must be 0). Appends to {@code
 * bench/results/providers.txt}.
 */
@QuarkusTest
@WithTestResource(WireMockPeer.class)
class HttpProviderBench {

  private static final int SENDS = Integer.getInteger("bench.http-sends", 5_000);
  private static final int IN_FLIGHT = Integer.getInteger("bench.in-flight", 64);
  private static final int CALLBACKS = Integer.getInteger("bench.callbacks", 5_000);
  private static final int CALLBACKS_IN_FLIGHT = Integer.getInteger("bench.http-in-flight", 16);

  @ConfigProperty(name = "quarkus.http.test-port")
  int testPort;

  @Inject ProviderPool providers;
  @Inject Pool database;

  @Test
  void twilio() throws Exception {
    sends(Channel.SMS, "twilio-a", i -> "+4915200" + i);
    callbacks(
        "twilio-a",
        "/providers/twilio-a/twilio/status",
        "application/x-www-form-urlencoded",
        i -> "MessageSid=SMbench" + i + "&MessageStatus=delivered",
        body -> "X-Twilio-Signature",
        body -> twilioSignature(body));
  }

  @Test
  void whatsApp() throws Exception {
    sends(Channel.WHATSAPP, "wa", i -> "+4915300" + i);
    callbacks(
        "wa",
        "/providers/wa/whatsapp/webhook",
        "application/json",
        i ->
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":"
                + "{\"statuses\":[{\"id\":\"wamid.bench"
                + i
                + "\",\"status\":\"delivered\"}]}}]}]}",
        body -> "X-Hub-Signature-256",
        body -> "sha256=" + HexFormat.of().formatHex(hmac("HmacSHA256", "wa-app-secret", body)));
  }

  @Test
  void fcm() throws Exception {
    sends(Channel.PUSH, "fcm", i -> "device-token-" + i);
  }

  private void sends(Channel channel, String name, IntFunction<String> recipient) throws Exception {
    GuardedProvider provider = providers.provider(channel, name);
    Benchmarks.sendThrough(provider, channel, recipient, 1_000, IN_FLIGHT); // warm-up
    long start = System.nanoTime();
    int sent = Benchmarks.sendThrough(provider, channel, recipient, SENDS, IN_FLIGHT);
    double seconds = (System.nanoTime() - start) / 1e9;
    Benchmarks.record(
        String.format(
            Locale.ROOT,
            "%s-provider sends=%d in_flight=%d sent=%d send_per_s=%.0f",
            name,
            SENDS,
            IN_FLIGHT,
            sent,
            sent / seconds));
    assertThat(sent).isEqualTo(SENDS);
  }

  /** Posts signed callbacks as fast as {@code CALLBACKS_IN_FLIGHT} allow; all must be stored. */
  private void callbacks(
      String provider,
      String path,
      String contentType,
      IntFunction<String> body,
      java.util.function.Function<byte[], String> header,
      java.util.function.Function<byte[], String> signature)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI endpoint = URI.create("http://127.0.0.1:" + testPort + path);
    long before = Benchmarks.storedReceipts(database, provider);
    Semaphore inFlight = new Semaphore(CALLBACKS_IN_FLIGHT);
    AtomicInteger answered = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < CALLBACKS; i++) {
      byte[] bytes = body.apply(i).getBytes(StandardCharsets.UTF_8);
      inFlight.acquire();
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .header("Content-Type", contentType)
              .header(header.apply(bytes), signature.apply(bytes))
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, failure) -> {
                if (response != null && response.statusCode() / 100 == 2) {
                  answered.incrementAndGet();
                }
                inFlight.release();
              });
    }
    inFlight.acquire(CALLBACKS_IN_FLIGHT);
    double seconds = (System.nanoTime() - start) / 1e9;
    long stored = Benchmarks.storedReceipts(database, provider) - before;
    Benchmarks.record(
        String.format(
            Locale.ROOT,
            "%s-callbacks callbacks=%d in_flight=%d answered_2xx=%d callbacks_per_s=%.0f"
                + " receipts_stored=%d receipts_lost=%d",
            provider,
            CALLBACKS,
            CALLBACKS_IN_FLIGHT,
            answered.get(),
            answered.get() / seconds,
            stored,
            answered.get() - stored));
    assertThat(answered.get()).isEqualTo(CALLBACKS);
    assertThat(stored).isEqualTo(CALLBACKS);
  }

  /** Twilio's scheme: Base64(HMAC-SHA1(token, url + sorted name+value pairs)). */
  private static String twilioSignature(byte[] body) {
    StringBuilder data = new StringBuilder(WireMockPeer.TWILIO_A_CALLBACK);
    new java.util.TreeMap<String, String>(
            java.util.Arrays.stream(new String(body, StandardCharsets.UTF_8).split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(
                    java.util.stream.Collectors.toMap(
                        pair -> pair[0],
                        pair -> java.net.URLDecoder.decode(pair[1], StandardCharsets.UTF_8))))
        .forEach((name, value) -> data.append(name).append(value));
    return Base64.getEncoder()
        .encodeToString(
            hmac(
                "HmacSHA1",
                WireMockPeer.TWILIO_A_TOKEN,
                data.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] hmac(String algorithm, String key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
