package io.cascade.channel.whatsapp;

import io.cascade.api.ApiException;
import io.cascade.api.Problem;
import io.cascade.channel.ProvidersConfig;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.ProvidersConfig.WhatsAppSettings;
import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptSink;
import io.cascade.channel.ReceiptStatus;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The WhatsApp Cloud API webhook of one {@code whatsapp} provider: the subscription handshake
 * ({@code GET}, answered with {@code hub.challenge} when {@code hub.verify_token} matches) and the
 * message status notifications ({@code POST}), authenticated by {@code X-Hub-Signature-256}, the
 * hex HMAC-SHA256 of the raw body under the app secret. Receipts are committed before the answer,
 * so Meta retries a notification that could not be stored.
 */
@Path("/providers/{name}/whatsapp/webhook")
@Tag(
    name = "Provider callbacks",
    description = "Status callbacks from the providers, authenticated by their signatures")
public class WhatsAppWebhookResource {

  private static final String SIGNATURE_PREFIX = "sha256=";

  private final ProvidersConfig providers;
  private final ReceiptSink inbox;

  WhatsAppWebhookResource(ProvidersConfig providers, ReceiptSink inbox) {
    this.providers = providers;
    this.inbox = inbox;
  }

  @GET
  @Produces(MediaType.TEXT_PLAIN)
  @Operation(summary = "WhatsApp webhook verification handshake")
  @APIResponse(responseCode = "200", description = "The challenge, echoed")
  @APIResponse(responseCode = "403", description = "Wrong mode or verify token")
  @APIResponse(responseCode = "404", description = "No whatsapp provider of that name")
  public String verify(
      @PathParam("name") String name,
      @QueryParam("hub.mode") String mode,
      @QueryParam("hub.verify_token") String verifyToken,
      @QueryParam("hub.challenge") String challenge) {
    WhatsAppSettings settings = settingsOf(name);
    if (!"subscribe".equals(mode) || !HttpProviders.sameText(settings.verifyToken(), verifyToken)) {
      throw new ApiException(
          Status.FORBIDDEN, "forbidden", "hub.mode or hub.verify_token does not match.");
    }
    if (challenge == null || challenge.isEmpty()) {
      throw ApiException.invalidFields(
          List.of(new Problem.FieldError("hub.challenge", "must not be empty")));
    }
    return challenge;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(summary = "WhatsApp message status notifications")
  @APIResponse(responseCode = "200", description = "Every status stored and applied")
  @APIResponse(responseCode = "401", description = "Missing or wrong X-Hub-Signature-256")
  @APIResponse(responseCode = "404", description = "No whatsapp provider of that name")
  public Uni<Response> notify(
      @PathParam("name") String name,
      @HeaderParam("X-Hub-Signature-256") String signature,
      byte[] body) {
    WhatsAppSettings settings = settingsOf(name);
    byte[] raw = body == null ? new byte[0] : body;
    // Over the raw bytes: re-serialised JSON would not match what Meta signed.
    String expected =
        SIGNATURE_PREFIX
            + HexFormat.of().formatHex(HttpProviders.hmac("HmacSHA256", settings.appSecret(), raw));
    if (!HttpProviders.sameText(expected, signature)) {
      throw ApiException.badSignature("X-Hub-Signature-256 is missing or does not match.");
    }
    List<Receipt> receipts = receiptsOf(name, raw);
    // One after the other: each takes a database connection for its transaction.
    return Multi.createFrom()
        .iterable(receipts)
        .onItem()
        .transformToUniAndConcatenate(inbox::accept)
        .collect()
        .last()
        .map(done -> Response.ok().build());
  }

  /** The statuses of every change of every entry; other notifications (messages in) carry none. */
  static List<Receipt> receiptsOf(String provider, byte[] raw) {
    JsonObject notification;
    try {
      notification = new JsonObject(new String(raw, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.invalidFields(
          List.of(new Problem.FieldError("body", "must be a JSON object")));
    }
    List<Receipt> receipts = new ArrayList<>();
    for (JsonObject entry : objects(notification.getValue("entry"))) {
      for (JsonObject change : objects(entry.getValue("changes"))) {
        Object value = change.getValue("value");
        if (!(value instanceof JsonObject changed)) {
          continue;
        }
        for (JsonObject status : objects(changed.getValue("statuses"))) {
          String id = status.getValue("id") instanceof String text ? text : null;
          ReceiptStatus receiptStatus =
              status.getValue("status") instanceof String text ? statusOf(text) : null;
          if (id != null && receiptStatus != null) {
            receipts.add(new Receipt(provider, id, receiptStatus, errorCode(status)));
          }
        }
      }
    }
    return receipts;
  }

  static ReceiptStatus statusOf(String status) {
    return switch (status) {
      case "sent" -> ReceiptStatus.SENT;
      case "delivered" -> ReceiptStatus.DELIVERED;
      case "read" -> ReceiptStatus.READ;
      case "failed" -> ReceiptStatus.UNDELIVERED;
      default -> null;
    };
  }

  private static String errorCode(JsonObject status) {
    List<JsonObject> errors = objects(status.getValue("errors"));
    if (errors.isEmpty() || errors.get(0).getValue("code") == null) {
      return null;
    }
    return String.valueOf(errors.get(0).getValue("code"));
  }

  /** The objects of a JSON array; none for anything else, so odd payloads are skipped. */
  private static List<JsonObject> objects(Object array) {
    List<JsonObject> objects = new ArrayList<>();
    if (array instanceof JsonArray items) {
      for (Object item : items) {
        if (item instanceof JsonObject object) {
          objects.add(object);
        }
      }
    }
    return objects;
  }

  private WhatsAppSettings settingsOf(String name) {
    ProviderSettings settings = providers.all().get(name);
    if (settings == null
        || !settings.type().filter(WhatsAppProviders.TYPE::equals).isPresent()
        || settings.whatsapp().isEmpty()) {
      throw ApiException.notFound("No whatsapp provider named '" + name + "'.");
    }
    return settings.whatsapp().get();
  }
}
