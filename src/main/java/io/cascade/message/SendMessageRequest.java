package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cascade.api.PlainText;
import io.cascade.webhook.WebhookUrl;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/messages}. */
@Schema(description = "A message to deliver over the first channel of its route that works")
public record SendMessageRequest(
    @NotNull @Size(min = 1, max = 5) @Schema(required = true, description = "1 to 5 steps")
        List<@NotNull @Valid RouteStep> route,
    @NotBlank
        @Size(max = 4096)
        @PlainText(lineBreaks = true)
        @Schema(
            required = true,
            description = "1 to 4096 characters; no control characters but tab and line breaks")
        String text,
    @Min(10) @Max(172_800) @Schema(description = "10 to 172800 seconds; default 86400")
        Integer validitySeconds,
    @Size(max = 128)
        @PlainText
        @Schema(description = "Your own reference, up to 128 characters on one line")
        String reference,
    // Left out of the idempotency hash when absent, so keys used before it existed still match.
    @JsonInclude(JsonInclude.Include.NON_NULL)
        @WebhookUrl
        @PlainText
        @Schema(
            description =
                "Webhook URL for this message's events, instead of the tenant's. Needs the"
                    + " tenant's webhook all the same (PUT /v1/webhook): its secret signs every"
                    + " event, so without one the request is refused with 422.")
        String callbackUrl,
    // Left out of the idempotency hash when absent, as callbackUrl.
    @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(
            enumeration = {"high", "normal", "bulk"},
            description =
                "high (OTP codes, alerts) is dispatched before normal, normal before bulk;"
                    + " default normal")
        Priority priority) {

  /** Validity used when the request names none. */
  public static final int DEFAULT_VALIDITY_SECONDS = 86_400;

  /** The priority named, or {@code normal}. */
  public Priority effectivePriority() {
    return priority == null ? Priority.NORMAL : priority;
  }

  /** The request as it will be stored and compared for idempotency, defaults filled in. */
  public SendMessageRequest withDefaults() {
    return validitySeconds != null
        ? this
        : new SendMessageRequest(
            route, text, DEFAULT_VALIDITY_SECONDS, reference, callbackUrl, priority);
  }
}
