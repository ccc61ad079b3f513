package io.cascade.message;

import io.cascade.channel.Channel;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * What a route step waits for when the request names nothing, per channel ({@code
 * cascade.steps.<channel>.wait-for} and {@code .timeout}), and how often step deadlines are
 * checked.
 */
@ConfigMapping(prefix = "cascade.steps")
public interface StepsConfig {

  /** How often the step timer looks for steps whose deadline passed. */
  @WithDefault("250ms")
  Duration checkInterval();

  StepDefaults sms();

  StepDefaults whatsapp();

  StepDefaults push();

  StepDefaults email();

  StepDefaults voice();

  /** The defaults of one channel. */
  interface StepDefaults {
    WaitFor waitFor();

    /** How long the step waits for its outcome after the provider took the message. */
    Duration timeout();
  }

  /** The defaults of {@code channel}. */
  default StepDefaults of(Channel channel) {
    return switch (channel) {
      case SMS -> sms();
      case WHATSAPP -> whatsapp();
      case PUSH -> push();
      case EMAIL -> email();
      case VOICE -> voice();
    };
  }

  /** The step with the defaults of its channel filled in where the request named nothing. */
  default RouteStep effective(RouteStep step) {
    StepDefaults defaults = of(step.channel());
    return new RouteStep(
        step.channel(),
        step.to(),
        step.subject(),
        step.waitFor() != null ? step.waitFor() : defaults.waitFor(),
        step.timeoutSeconds() != null
            ? step.timeoutSeconds()
            : (int) defaults.timeout().toSeconds());
  }
}
