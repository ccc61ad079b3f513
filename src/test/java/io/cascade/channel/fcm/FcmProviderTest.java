package io.cascade.channel.fcm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.email;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cascade.support.TestApi;
import io.cascade.support.WireMockPeer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Push through the FCM HTTP v1 provider against WireMock ({@link WireMockPeer}), which also plays
 * Google's OAuth token endpoint: the signed JWT, token reuse and refresh, the send request,
 * rejection of an unregistered device and failover on {@code UNAVAILABLE}.
 */
@QuarkusTest
@WithTestResource(WireMockPeer.class)
class FcmProviderTest {

  private static final String SEND = "/v1/projects/" + WireMockPeer.FCM_PROJECT + "/messages:send";

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void sendsTheNotificationWithTheBearerToken() {
    String device = "device-" + UUID.randomUUID();

    JsonPath message = awaitStatus(key, send(key, message(List.of(push(device)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("fcm");
    assertThat(message.getString("attempts[0].status")).isEqualTo("sent");
    assertThat(message.getString("attempts[0].providerMessageId"))
        .startsWith("projects/" + WireMockPeer.FCM_PROJECT + "/messages/");
    List<LoggedRequest> sends = sendsTo(device);
    assertThat(sends).hasSize(1);
    assertThat(sends.get(0).getHeader("Authorization")).matches("Bearer ya29\\.\\w+");
    WireMockPeer.server()
        .verify(
            postRequestedFor(urlEqualTo(SEND))
                .withRequestBody(
                    equalToJson(
                        "{\"message\": {\"token\": \""
                            + device
                            + "\", \"notification\": {\"title\": \"Message\", \"body\": \"Your"
                            + " code is 123456\"}}}")));
  }

  @Test
  void theTokenRequestCarriesAJwtSignedWithTheServiceAccountKey() throws Exception {
    List<LoggedRequest> tokenRequests = tokenRequestsFrom(WireMockPeer.FCM_CLIENT_EMAIL);
    assertThat(tokenRequests).isNotEmpty();
    Map<String, String> form = parseForm(tokenRequests.get(0).getBodyAsString());
    assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");

    String[] jwt = form.get("assertion").split("\\.");
    assertThat(jwt).hasSize(3);
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initVerify(publicKeyOfConfiguredPrivateKey());
    rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))).isTrue();

    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt[0])));
    assertThat(header.getString("alg")).isEqualTo("RS256");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt[1])));
    assertThat(claims.getString("iss")).isEqualTo(WireMockPeer.FCM_CLIENT_EMAIL);
    assertThat(claims.getString("scope"))
        .isEqualTo("https://www.googleapis.com/auth/firebase.messaging");
    assertThat(claims.getString("aud")).isEqualTo(WireMockPeer.tokenUri());
    long iat = claims.getLong("iat");
    assertThat(iat).isBetween(Instant.now().getEpochSecond() - 600, Instant.now().getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(iat + 3600);
  }

  @Test
  void oneTokenServesManySends() {
    // Fetched at start-up (hot standby) or by an earlier test.
    awaitStatus(key, send(key, message(List.of(push("device-" + UUID.randomUUID())))), "sent");
    int fetched = tokenRequests().size();

    List<String> devices = List.of(device(), device(), device());
    List<String> ids = devices.stream().map(d -> send(key, message(List.of(push(d))))).toList();
    ids.forEach(id -> awaitStatus(key, id, "sent"));

    assertThat(tokenRequests()).hasSize(fetched);
    assertThat(
            devices.stream()
                .map(d -> sendsTo(d).get(0).getHeader("Authorization"))
                .distinct()
                .toList())
        .hasSize(1);
  }

  @Test
  void aRefusedTokenIsReplacedAndTheSendRetried() {
    String device = "revoked-" + UUID.randomUUID();
    String scenario = "token revoked for " + device;
    WireMockPeer.server()
        .stubFor(
            toDevice(device)
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("refused")
                .willReturn(
                    json(
                        401,
                        "{\"error\": {\"code\": 401, \"message\": \"Request had invalid"
                            + " authentication credentials.\", \"status\":"
                            + " \"UNAUTHENTICATED\"}}")));
    WireMockPeer.server()
        .stubFor(
            toDevice(device)
                .inScenario(scenario)
                .whenScenarioStateIs("refused")
                .willReturn(json(200, "{\"name\": \"projects/cascade-test/messages/42\"}")));
    awaitStatus(key, send(key, message(List.of(push(device())))), "sent");
    int fetched = tokenRequests().size();

    JsonPath message = awaitStatus(key, send(key, message(List.of(push(device)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("fcm");
    assertThat(message.getString("attempts[0].providerMessageId"))
        .isEqualTo("projects/cascade-test/messages/42");
    assertThat(tokenRequests()).hasSize(fetched + 1);
    List<LoggedRequest> sends = sendsTo(device);
    assertThat(sends).hasSize(2);
    assertThat(sends.get(0).getHeader("Authorization"))
        .isNotEqualTo(sends.get(1).getHeader("Authorization"));
  }

  @Test
  void anUnregisteredDeviceIsRejectedAndTheNextStepGoesOut() {
    String device = device();
    WireMockPeer.server()
        .stubFor(
            toDevice(device)
                .willReturn(
                    json(
                        404,
                        "{\"error\": {\"code\": 404, \"message\": \"Requested entity was not"
                            + " found.\", \"status\": \"NOT_FOUND\", \"details\": [{\"@type\":"
                            + " \"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
                            + " \"errorCode\": \"UNREGISTERED\"}]}}")));

    JsonPath message =
        awaitStatus(key, send(key, message(List.of(push(device), email()))), "delivered");

    assertThat(message.getList("deliveredVia")).containsExactly("email");
    assertThat(message.getList("attempts")).hasSize(2);
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getString("attempts[0].error")).startsWith("rejected: fcm UNREGISTERED:");
    assertThat(sendsTo(device)).hasSize(1);
  }

  @Test
  void unavailableFailsOverToTheNextProvider() {
    String device = device();
    WireMockPeer.server()
        .stubFor(
            toDevice(device)
                .willReturn(
                    json(
                        503,
                        "{\"error\": {\"code\": 503, \"message\": \"The service is currently"
                            + " unavailable.\", \"status\": \"UNAVAILABLE\"}}")));

    JsonPath message = awaitStatus(key, send(key, message(List.of(push(device)))), "delivered");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("fcm");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[0].error")).contains("fcm UNAVAILABLE");
    assertThat(message.getString("attempts[1].provider")).isEqualTo("simulator");
    assertThat(sendsTo(device)).hasSize(2);
  }

  @Test
  void aColdProviderFetchesNoTokenBeforeItsFirstSend() {
    assertThat(tokenRequestsFrom(WireMockPeer.FCM_COLD_CLIENT_EMAIL)).isEmpty();
    String device = device();
    WireMockPeer.server()
        .stubFor(
            toDevice(device)
                .willReturn(json(500, "{\"error\": {\"code\": 500, \"status\": \"INTERNAL\"}}")));
    TestApi.simulator("push", "fail", 0);

    JsonPath message = awaitStatus(key, send(key, message(List.of(push(device)))), "sent");

    assertThat(message.getString("attempts[0].provider")).isEqualTo("fcm");
    assertThat(message.getString("attempts[1].provider")).isEqualTo("simulator");
    assertThat(message.getString("attempts[2].provider")).isEqualTo("fcm-cold");
    assertThat(message.getString("attempts[2].status")).isEqualTo("sent");
    assertThat(message.getString("attempts[2].providerMessageId"))
        .startsWith("projects/" + WireMockPeer.FCM_COLD_PROJECT + "/messages/");
    assertThat(tokenRequestsFrom(WireMockPeer.FCM_COLD_CLIENT_EMAIL)).hasSize(1);
  }

  private static String device() {
    return "device-" + UUID.randomUUID();
  }

  private static Map<String, Object> push(String device) {
    return step("push", device);
  }

  private static com.github.tomakehurst.wiremock.client.MappingBuilder toDevice(String device) {
    return post(urlEqualTo(SEND))
        .atPriority(1)
        .withRequestBody(matchingJsonPath("$.message.token", equalTo(device)));
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }

  private static List<LoggedRequest> sendsTo(String device) {
    return WireMockPeer.server()
        .findAll(
            postRequestedFor(urlEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.message.token", equalTo(device))));
  }

  private static List<LoggedRequest> tokenRequests() {
    return WireMockPeer.server().findAll(postRequestedFor(urlEqualTo("/token")));
  }

  /** The token requests whose JWT was issued by {@code clientEmail}. */
  private static List<LoggedRequest> tokenRequestsFrom(String clientEmail) {
    return tokenRequests().stream()
        .filter(
            request -> {
              String jwt = parseForm(request.getBodyAsString()).get("assertion");
              JsonObject claims =
                  new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])));
              return clientEmail.equals(claims.getString("iss"));
            })
        .toList();
  }

  /** The public half of the key the application was configured with, from its own settings. */
  private static PublicKey publicKeyOfConfiguredPrivateKey() throws GeneralSecurityException {
    String pem =
        ConfigProvider.getConfig().getValue("cascade.provider.fcm.fcm.private-key", String.class);
    byte[] der =
        Base64.getMimeDecoder()
            .decode(
                pem.replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", ""));
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
    return rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      form.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return form;
  }
}
