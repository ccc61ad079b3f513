package io.cascade.channel.fcm;

import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.FcmSettings;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Sends push steps through Firebase Cloud Messaging HTTP v1 ({@code POST
 * /v1/projects/<project>/messages:send}) as a notification to the step's device token, with a
 * service account's OAuth token ({@link AccessTokens}). FCM has no delivery receipts, so an
 * accepted push ends as {@code sent} under its message {@code name}. A token FCM does not know
 * ({@code UNREGISTERED}) or an invalid message ({@code INVALID_ARGUMENT}) rejects the step; a
 * refused access token is dropped and the send retried with a new one; everything else (quota,
 * {@code UNAVAILABLE}, {@code INTERNAL}, transport trouble) is transient.
 */
public class FcmProvider implements ChannelProvider {

  /** The notification title of a push step that names no subject. */
  static final String DEFAULT_TITLE = "Message";

  private static final Set<String> RECIPIENT_ERRORS = Set.of("UNREGISTERED", "INVALID_ARGUMENT");

  private static final Logger LOG = Logger.getLogger(FcmProvider.class);

  private final String name;
  private final WebClient client;
  private final AccessTokens tokens;
  private final String sendUrl;
  private final long timeoutMillis;

  FcmProvider(
      String name,
      FcmSettings settings,
      WebClient client,
      AccessTokens tokens,
      long timeoutMillis) {
    this.name = name;
    this.client = client;
    this.tokens = tokens;
    this.timeoutMillis = timeoutMillis;
    this.sendUrl =
        HttpProviders.join(
            settings.baseUrl(), "/v1/projects/" + settings.projectId() + "/messages:send");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Uni<SendOutcome> send(Outbound message) {
    String title = message.subject() == null ? DEFAULT_TITLE : message.subject();
    JsonObject body =
        new JsonObject()
            .put(
                "message",
                new JsonObject()
                    .put("token", message.to())
                    .put(
                        "notification",
                        new JsonObject().put("title", title).put("body", message.text())));
    return Uni.createFrom()
        .deferred(tokens::get)
        .flatMap(
            token ->
                client
                    .postAbs(sendUrl)
                    .bearerTokenAuthentication(token)
                    .timeout(timeoutMillis)
                    .sendJsonObject(body)
                    .map(response -> outcomeOf(response, token)))
        .onFailure()
        .transform(failure -> HttpProviders.transientFailure("fcm", failure));
  }

  /** Fetches the first access token in the background, so that the first send need not wait. */
  @Override
  public void connect() {
    tokens
        .get()
        .subscribe()
        .with(
            token -> LOG.debugf("%s: access token ready", name),
            failure -> LOG.warnf("%s: no access token yet: %s", name, failure.getMessage()));
  }

  @Override
  public void close() {
    client.close();
  }

  private SendOutcome outcomeOf(HttpResponse<Buffer> response, String token) {
    int status = response.statusCode();
    JsonObject body = HttpProviders.json(response);
    if (status == 200) {
      return SendOutcome.Sent.withId(body.getString("name"));
    }
    if (status == 401) {
      // Revoked or expired early: the retry fetches a new one.
      tokens.invalidate(token);
      throw new ProviderException("fcm: access token refused (HTTP 401)");
    }
    Object errorValue = body.getValue("error");
    JsonObject error = errorValue instanceof JsonObject object ? object : new JsonObject();
    String code = errorCode(error);
    String detail =
        "fcm "
            + (code != null ? code : "HTTP " + status)
            + ": "
            + (error.getValue("message") instanceof String text ? text : response.statusMessage());
    if (status != 429 && status < 500 && code != null && RECIPIENT_ERRORS.contains(code)) {
      return new SendOutcome.Rejected(detail);
    }
    throw new ProviderException(detail);
  }

  /** The FCM error code of the details if there is one (it is more precise), else the status. */
  private static String errorCode(JsonObject error) {
    if (error.getValue("details") instanceof JsonArray details) {
      for (Object detail : details) {
        if (detail instanceof JsonObject object
            && object.getValue("errorCode") instanceof String code) {
          return code;
        }
      }
    }
    return error.getValue("status") instanceof String status ? status : null;
  }
}
