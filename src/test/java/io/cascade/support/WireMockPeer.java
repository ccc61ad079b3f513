package io.cascade.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * One WireMock server on loopback standing in for the Twilio, WhatsApp Cloud and FCM APIs (and
 * Google's OAuth token endpoint), with the providers under test pointed at it:
 *
 * <ul>
 *   <li>sms: {@code twilio-a} (hot), then {@code twilio-b} (warm, a second Twilio account);
 *   <li>whatsapp: {@code wa} (hot), then the simulator (warm);
 *   <li>push: {@code fcm} (hot), then the simulator (warm), then {@code fcm-cold} (cold, another
 *       service account and project).
 * </ul>
 *
 * Every API accepts by default (low-priority stubs registered here, so that the FCM token the
 * provider prefetches at start-up is there); tests add higher-priority stubs for their own
 * recipients. Each provider gets 1 s, one retry and a circuit breaker that needs many calls.
 */
public class WireMockPeer implements QuarkusTestResourceLifecycleManager {

  public static final String TWILIO_A_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  public static final String TWILIO_A_TOKEN = "twilio-a-auth-token";
  public static final String TWILIO_A_CALLBACK =
      "https://cascade.example.com/providers/twilio-a/twilio/status";
  public static final String TWILIO_B_SID = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  public static final String TWILIO_FROM = "+15005550006";

  public static final String WA_PHONE_NUMBER_ID = "106540352242922";
  public static final String WA_ACCESS_TOKEN = "wa-access-token";
  public static final String WA_APP_SECRET = "wa-app-secret";
  public static final String WA_VERIFY_TOKEN = "wa-verify-token";

  public static final String FCM_PROJECT = "cascade-test";
  public static final String FCM_CLIENT_EMAIL = "cascade@cascade-test.iam.gserviceaccount.com";
  public static final String FCM_COLD_PROJECT = "cascade-cold";
  public static final String FCM_COLD_CLIENT_EMAIL = "cascade@cascade-cold.iam.gserviceaccount.com";

  /** The throwaway service-account key; the FCM test checks JWT signatures with its public half. */
  public static final KeyPair FCM_KEY = rsaKeyPair();

  private static WireMockServer server;

  /** The running server, for stubs and verifications. */
  public static WireMockServer server() {
    return server;
  }

  /** The token endpoint's address as configured, which is the JWT's audience. */
  public static String tokenUri() {
    return server.baseUrl() + "/token";
  }

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    acceptEverything();
    warmUp();
    String base = server.baseUrl();
    Map<String, String> config = new HashMap<>();
    config.put("cascade.channel.sms.providers", "twilio-a,twilio-b");
    twilio(config, "twilio-a", TWILIO_A_SID, TWILIO_A_TOKEN, base);
    config.put("cascade.provider.twilio-a.twilio.status-callback-url", TWILIO_A_CALLBACK);
    twilio(config, "twilio-b", TWILIO_B_SID, "twilio-b-auth-token", base);
    config.put("cascade.provider.twilio-b.standby", "warm");

    config.put("cascade.channel.whatsapp.providers", "wa,simulator");
    guard(config, "wa", "whatsapp");
    config.put("cascade.provider.wa.whatsapp.base-url", base);
    config.put("cascade.provider.wa.whatsapp.phone-number-id", WA_PHONE_NUMBER_ID);
    config.put("cascade.provider.wa.whatsapp.access-token", WA_ACCESS_TOKEN);
    config.put("cascade.provider.wa.whatsapp.app-secret", WA_APP_SECRET);
    config.put("cascade.provider.wa.whatsapp.verify-token", WA_VERIFY_TOKEN);

    config.put("cascade.channel.push.providers", "fcm,simulator,fcm-cold");
    fcm(config, "fcm", FCM_PROJECT, FCM_CLIENT_EMAIL, base);
    fcm(config, "fcm-cold", FCM_COLD_PROJECT, FCM_COLD_CLIENT_EMAIL, base);
    config.put("cascade.provider.fcm-cold.standby", "cold");

    config.put("cascade.provider.simulator.standby", "warm");
    return config;
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private static void twilio(
      Map<String, String> config, String name, String sid, String token, String base) {
    guard(config, name, "twilio");
    config.put("cascade.provider." + name + ".twilio.base-url", base);
    config.put("cascade.provider." + name + ".twilio.account-sid", sid);
    config.put("cascade.provider." + name + ".twilio.auth-token", token);
    config.put("cascade.provider." + name + ".twilio.from", TWILIO_FROM);
  }

  private static void fcm(
      Map<String, String> config, String name, String project, String clientEmail, String base) {
    guard(config, name, "fcm");
    String prefix = "cascade.provider." + name + ".fcm.";
    config.put(prefix + "base-url", base);
    config.put(prefix + "project-id", project);
    config.put(prefix + "client-email", clientEmail);
    config.put(prefix + "private-key", pem(FCM_KEY));
    config.put(prefix + "token-uri", tokenUri());
  }

  private static void guard(Map<String, String> config, String name, String type) {
    String prefix = "cascade.provider." + name + ".";
    config.put(prefix + "type", type);
    config.put(prefix + "timeout", "1s");
    config.put(prefix + "retries", "1");
    config.put(prefix + "retry-delay", "20ms");
    config.put(prefix + "circuit-breaker.request-volume", "100");
  }

  private static void acceptEverything() {
    server.stubFor(
        post(urlPathMatching("/2010-04-01/Accounts/[^/]+/Messages.json"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"sid\": \"SM{{randomValue length=32 type='HEXADECIMAL'}}\"}")
                    .withTransformers("response-template")));
    server.stubFor(
        post(urlEqualTo("/v21.0/" + WA_PHONE_NUMBER_ID + "/messages"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"messaging_product\": \"whatsapp\", \"messages\": [{\"id\":"
                            + " \"wamid.{{randomValue length=24 type='ALPHANUMERIC'}}\"}]}")
                    .withTransformers("response-template")));
    server.stubFor(
        post(urlPathMatching("/v1/projects/[^/]+/messages:send"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"name\": \"projects/{{request.pathSegments.[2]}}"
                            + "/messages/{{randomValue length=16 type='NUMERIC'}}\"}")
                    .withTransformers("response-template")));
    server.stubFor(
        post(urlEqualTo("/token"))
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"access_token\": \"ya29.{{randomValue length=20 type='ALPHANUMERIC'}}\","
                            + " \"expires_in\": 3599, \"token_type\": \"Bearer\"}")
                    .withTransformers("response-template")));
    server.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().withStatus(404)));
  }

  /**
   * Answers one templated request before the service starts: the first one takes WireMock over a
   * second on a busy machine, longer than the providers' timeout, which made the first send flaky.
   */
  private static void warmUp() {
    try {
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(tokenUri()))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    server.resetRequests();
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(KeyPair keyPair) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keyPair.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }
}
