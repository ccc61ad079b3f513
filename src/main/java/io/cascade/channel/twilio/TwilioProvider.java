package io.cascade.channel.twilio;

import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.TwilioSettings;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.util.Set;

/**
 * Sends SMS steps through a Twilio-compatible Messages API: a form POST to {@code
 * /2010-04-01/Accounts/<sid>/Messages.json} with HTTP basic auth. A created message is {@code sent}
 * under its {@code sid}; status callbacks ({@link TwilioStatusResource}) then report its delivery.
 * Errors Twilio blames on the recipient, and any other {@code 400}, reject the step; rate limits,
 * server errors, other client errors (e.g. bad credentials, which another provider may not share)
 * and transport trouble are transient.
 */
public class TwilioProvider implements ChannelProvider {

  /**
   * Twilio error codes that condemn the recipient, not the request: invalid, unreachable or
   * non-mobile number, opted out, or a region the account may not send to.
   */
  static final Set<Integer> RECIPIENT_ERRORS =
      Set.of(21211, 21214, 21217, 21219, 21407, 21408, 21421, 21610, 21612, 21614, 21635);

  private final String name;
  private final TwilioSettings settings;
  private final WebClient client;
  private final String messagesUrl;
  private final long timeoutMillis;

  TwilioProvider(String name, TwilioSettings settings, WebClient client, long timeoutMillis) {
    this.name = name;
    this.settings = settings;
    this.client = client;
    this.timeoutMillis = timeoutMillis;
    this.messagesUrl =
        HttpProviders.join(
            settings.baseUrl(), "/2010-04-01/Accounts/" + settings.accountSid() + "/Messages.json");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Uni<SendOutcome> send(Outbound message) {
    MultiMap form =
        MultiMap.caseInsensitiveMultiMap()
            .add("To", message.to())
            .add("From", settings.from())
            .add("Body", message.text());
    settings.statusCallbackUrl().ifPresent(url -> form.add("StatusCallback", url.toString()));
    return client
        .postAbs(messagesUrl)
        .basicAuthentication(settings.accountSid(), settings.authToken())
        .timeout(timeoutMillis)
        .sendForm(form)
        .map(TwilioProvider::outcomeOf)
        .onFailure()
        .transform(failure -> HttpProviders.transientFailure("twilio", failure));
  }

  @Override
  public void close() {
    client.close();
  }

  static SendOutcome outcomeOf(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    JsonObject body = HttpProviders.json(response);
    if (status == 200 || status == 201) {
      return SendOutcome.Sent.withId(body.getString("sid"));
    }
    Integer code = body.getValue("code") instanceof Number number ? number.intValue() : null;
    String detail =
        "twilio "
            + (code != null ? code : "HTTP " + status)
            + ": "
            + body.getString("message", response.statusMessage());
    boolean recipientError = code != null && RECIPIENT_ERRORS.contains(code);
    if (status >= 400 && status < 500 && status != 429 && (recipientError || status == 400)) {
      return new SendOutcome.Rejected(detail);
    }
    throw new ProviderException(detail);
  }
}
