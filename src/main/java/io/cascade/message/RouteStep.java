package io.cascade.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cascade.channel.Channel;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One step of a message's route: a channel and the recipient on it. */
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
        @Schema(
            required = true,
            description =
                "E.164 number for sms, whatsapp and voice; address for email; device token for push")
        String to,
    @Size(max = 255) @Schema(description = "Email subject; ignored by other channels")
        String subject) {}
