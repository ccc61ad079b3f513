package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cascade.api.PlainText;
import io.cascade.channel.Channel;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One step of a message's route: a channel, the recipient on it, and the outcome the step waits for
 * (with how long) before the cascade ends with it. Stored as the tenant sent it; the message view
 * shows the channel's defaults ({@link StepsConfig}) where the request named nothing.
 */
@ValidRecipient
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "One step of the route, tried in order")
public record RouteStep(
    @NotNull
        @Schema(
            required = true,
            enumeration = {"sms", "whatsapp", "push", "email", "voice"})
        Channel channel,
    @NotBlank
        @Size(max = 4096)
        @PlainText
        @Schema(
            required = true,
            description =
                "E.164 number for sms, whatsapp and voice; address for email; device token for push")
        String to,
    @Size(max = 255)
        @PlainText
        @Schema(description = "Email subject, one line; ignored by other channels")
        String subject,
    @Schema(
            enumeration = {"sent", "delivered", "read"},
            description =
                "What the step waits for before the cascade ends with it; default per channel:"
                    + " delivered for sms and whatsapp, sent for the others")
        WaitFor waitFor,
    @Min(5)
        @Max(86_400)
        @Schema(
            description =
                "5 to 86400 seconds the step waits for waitFor once the provider took the message;"
                    + " then the next step starts. Default per channel: 30 for sms, 60 otherwise")
        Integer timeoutSeconds) {}
