package io.cascade.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The WhatsApp Cloud API as the tests play it: {@link WireMockPeer} answers provider {@code wa}'s
 * sends per recipient, and status notifications signed with its app secret go to Cascade's webhook.
 */
public final class WhatsAppCloud {

  /** Where provider {@code wa} sends messages on {@link WireMockPeer}. */
  public static final String MESSAGES = "/v21.0/" + WireMockPeer.WA_PHONE_NUMBER_ID + "/messages";

  /** Cascade's endpoint for provider {@code wa}'s status notifications. */
  public static final String WEBHOOK = "/providers/wa/whatsapp/webhook";

  private WhatsAppCloud() {}

  /** Answers sends to {@code to} (E.164) with {@code response}, ahead of the catch-all stubs. */
  public static void stub(String to, ResponseDefinitionBuilder response) {
    WireMockPeer.server()
        .stubFor(
            post(urlEqualTo(MESSAGES))
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.to", equalTo(to.substring(1))))
                .willReturn(response));
  }

  /** Accepts sends to {@code to} as the Cloud API does; answers the message id it gives. */
  public static String stubAccepted(String to) {
    String wamid = "wamid.HBgM" + UUID.randomUUID().toString().replace("-", "");
    stub(
        to,
        aResponse()
            .withHeader("Content-Type", "application/json")
            .withBody(
                "{\"messaging_product\": \"whatsapp\", \"contacts\": [{\"input\": \""
                    + to
                    + "\", \"wa_id\": \""
                    + to.substring(1)
                    + "\"}], \"messages\": [{\"id\": \""
                    + wamid
                    + "\"}]}"));
    return wamid;
  }

  /** A status notification as Meta sends it, one status in one change of one entry. */
  public static String statuses(String wamid, String to, String status) {
    return statuses(wamid, to, status, null);
  }

  /** The same, with the error code of a {@code failed} status. */
  public static String statuses(String wamid, String to, String status, Integer errorCode) {
    String errors =
        errorCode == null
            ? ""
            : ", \"errors\": [{\"code\": "
                + errorCode
                + ", \"title\": \"Message failed to send\"}]";
    return "{\"object\": \"whatsapp_business_account\", \"entry\": [{\"id\": \"1029384756\","
        + " \"changes\": [{\"field\": \"messages\", \"value\": {\"messaging_product\":"
        + " \"whatsapp\", \"metadata\": {\"phone_number_id\": \""
        + WireMockPeer.WA_PHONE_NUMBER_ID
        + "\"}, \"statuses\": [{\"id\": \""
        + wamid
        + "\", \"status\": \""
        + status
        + "\", \"timestamp\": \"1700000000\", \"recipient_id\": \""
        + to.substring(1)
        + "\""
        + errors
        + "}]}}]}]}";
  }

  /** Posts a notification to Cascade, signed with the app secret or with a wrong signature. */
  public static ValidatableResponse postNotification(String body, boolean goodSignature) {
    String signature = "sha256=" + (goodSignature ? hmac(body) : "0".repeat(64));
    return given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", signature)
        .body(body.getBytes(StandardCharsets.UTF_8))
        .post(WEBHOOK)
        .then();
  }

  /** Posts a correctly signed notification and expects it taken. */
  public static void notifySigned(String body) {
    postNotification(body, true).statusCode(200);
  }

  /** The X-Hub-Signature-256 hex digest of {@code body} with the app secret. */
  public static String hmac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(
              WireMockPeer.WA_APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
