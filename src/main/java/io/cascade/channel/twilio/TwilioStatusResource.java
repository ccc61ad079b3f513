package io.cascade.channel.twilio;

import io.cascade.api.ApiException;
import io.cascade.api.Problem;
import io.cascade.channel.ProvidersConfig;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.ProvidersConfig.TwilioSettings;
import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptSink;
import io.cascade.channel.ReceiptStatus;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Twilio's status callbacks for one {@code twilio} provider. Authenticated by {@code
 * X-Twilio-Signature}, the Base64 HMAC-SHA1 under the provider's auth token of the URL Twilio
 * called followed by every POST parameter (sorted by name, as name then value). The receipt is
 * committed before the answer, so Twilio retries a callback that could not be stored.
 */
@Path("/providers/{name}/twilio/status")
@Tag(
    name = "Provider callbacks",
    description = "Status callbacks from the providers, authenticated by their signatures")
public class TwilioStatusResource {

  private static final Logger LOG = Logger.getLogger(TwilioStatusResource.class);

  private final ProvidersConfig providers;
  private final ReceiptSink inbox;

  TwilioStatusResource(ProvidersConfig providers, ReceiptSink inbox) {
    this.providers = providers;
    this.inbox = inbox;
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Twilio message status callback")
  @APIResponse(responseCode = "204", description = "Stored and applied")
  @APIResponse(responseCode = "200", description = "A status Cascade does not track; ignored")
  @APIResponse(responseCode = "401", description = "Missing or wrong X-Twilio-Signature")
  @APIResponse(responseCode = "404", description = "No twilio provider of that name")
  public Uni<Response> status(
      @PathParam("name") String name,
      @HeaderParam("X-Twilio-Signature") String signature,
      @Context UriInfo uri,
      String body) {
    TwilioSettings settings = settingsOf(name);
    Map<String, List<String>> params = parseForm(body);
    // Behind a proxy only the configured public URL is the one Twilio signed.
    String url =
        settings.statusCallbackUrl().map(Object::toString).orElse(uri.getRequestUri().toString());
    if (!HttpProviders.sameText(sign(settings.authToken(), url, params), signature)) {
      throw ApiException.badSignature("X-Twilio-Signature is missing or does not match.");
    }
    String messageSid = first(params, "MessageSid");
    String status = first(params, "MessageStatus");
    if (status == null) {
      status = first(params, "SmsStatus");
    }
    ReceiptStatus receiptStatus = statusOf(status);
    if (messageSid == null || receiptStatus == null) {
      LOG.debugf("%s: ignoring status '%s' of %s", name, status, messageSid);
      return Uni.createFrom().item(Response.ok().build());
    }
    return inbox
        .accept(new Receipt(name, messageSid, receiptStatus, first(params, "ErrorCode")))
        .map(stored -> Response.noContent().build());
  }

  /** Base64(HMAC-SHA1(authToken, url + name1 + value1 + name2 + value2 ...)), names sorted. */
  static String sign(String authToken, String url, Map<String, List<String>> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params)
        .forEach(
            (param, values) ->
                values.stream().sorted().forEach(value -> data.append(param).append(value)));
    byte[] mac =
        HttpProviders.hmac("HmacSHA1", authToken, data.toString().getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(mac);
  }

  /** Cascade's reading of Twilio's MessageStatus; null for in-flight states it does not track. */
  static ReceiptStatus statusOf(String status) {
    if (status == null) {
      return null;
    }
    return switch (status) {
      case "sent" -> ReceiptStatus.SENT;
      case "delivered" -> ReceiptStatus.DELIVERED;
      case "read" -> ReceiptStatus.READ;
      case "undelivered", "failed" -> ReceiptStatus.UNDELIVERED;
      default -> null;
    };
  }

  private TwilioSettings settingsOf(String name) {
    ProviderSettings settings = providers.all().get(name);
    if (settings == null
        || !settings.type().filter(TwilioProviders.TYPE::equals).isPresent()
        || settings.twilio().isEmpty()) {
      throw ApiException.notFound("No twilio provider named '" + name + "'.");
    }
    return settings.twilio().get();
  }

  private static Map<String, List<String>> parseForm(String body) {
    Map<String, List<String>> params = new TreeMap<>();
    if (body == null || body.isEmpty()) {
      return params;
    }
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      throw ApiException.invalidFields(
          List.of(new Problem.FieldError("body", "is not a valid form")));
    }
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }
}
