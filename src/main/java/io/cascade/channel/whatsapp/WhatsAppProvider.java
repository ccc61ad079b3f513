package io.cascade.channel.whatsapp;

import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.WhatsAppSettings;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.util.Set;

/**
 * Sends WhatsApp steps as text messages through the WhatsApp Business Cloud API ({@code POST
 * /<version>/<phone-number-id>/messages}, bearer token). An accepted message is {@code sent} under
 * its {@code wamid}; the status webhook ({@link WhatsAppWebhookResource}) reports delivery and
 * reading. Error codes that condemn the recipient reject the step; rate limits, Meta's server
 * errors, any other error (e.g. an expired token, which another provider may not share) and
 * transport trouble are transient.
 */
public class WhatsAppProvider implements ChannelProvider {

  /**
   * Graph API error codes that condemn the recipient: undeliverable (131026), not in the allowed
   * list (131030), the sender itself (131021), outside the customer service window (131047),
   * invalid parameter such as the number (100, 131008, 131009).
   */
  static final Set<Integer> RECIPIENT_ERRORS =
      Set.of(100, 131008, 131009, 131021, 131026, 131030, 131047);

  private final String name;
  private final WhatsAppSettings settings;
  private final WebClient client;
  private final String messagesUrl;
  private final long timeoutMillis;

  WhatsAppProvider(String name, WhatsAppSettings settings, WebClient client, long timeoutMillis) {
    this.name = name;
    this.settings = settings;
    this.client = client;
    this.timeoutMillis = timeoutMillis;
    this.messagesUrl =
        HttpProviders.join(
            settings.baseUrl(),
            "/" + settings.version() + "/" + settings.phoneNumberId() + "/messages");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Uni<SendOutcome> send(Outbound message) {
    // The Cloud API wants the number without the leading '+' of E.164.
    String to = message.to().startsWith("+") ? message.to().substring(1) : message.to();
    JsonObject body =
        new JsonObject()
            .put("messaging_product", "whatsapp")
            .put("recipient_type", "individual")
            .put("to", to)
            .put("type", "text")
            .put("text", new JsonObject().put("body", message.text()));
    return client
        .postAbs(messagesUrl)
        .bearerTokenAuthentication(settings.accessToken())
        .timeout(timeoutMillis)
        .sendJsonObject(body)
        .map(WhatsAppProvider::outcomeOf)
        .onFailure()
        .transform(failure -> HttpProviders.transientFailure("whatsapp", failure));
  }

  @Override
  public void close() {
    client.close();
  }

  static SendOutcome outcomeOf(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    JsonObject body = HttpProviders.json(response);
    if (status == 200) {
      JsonArray messages = body.getJsonArray("messages", new JsonArray());
      String id = messages.isEmpty() ? null : messages.getJsonObject(0).getString("id");
      return SendOutcome.Sent.withId(id);
    }
    JsonObject error = body.getJsonObject("error", new JsonObject());
    Integer code = error.getValue("code") instanceof Number number ? number.intValue() : null;
    String detail =
        "whatsapp "
            + (code != null ? code : "HTTP " + status)
            + ": "
            + error.getString("message", response.statusMessage());
    if (status != 429 && status < 500 && code != null && RECIPIENT_ERRORS.contains(code)) {
      return new SendOutcome.Rejected(detail);
    }
    throw new ProviderException(detail);
  }
}
