package io.cascade.channel;

import io.cascade.channel.email.SmtpProvider;
import io.cascade.channel.simulator.SimulatorProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Picks the provider that serves a channel, as configured under {@code cascade.providers}: the
 * built-in simulator by default, SMTP for email. Providers plug in here, behind {@link
 * ChannelProvider}, without touching the cascade. An unknown provider name stops the start-up.
 */
@ApplicationScoped
public class ProviderDirectory {

  private final SimulatorProvider simulator;
  private final ChannelProvider email;

  ProviderDirectory(SimulatorProvider simulator, SmtpProvider smtp, ProvidersConfig config) {
    this.simulator = simulator;
    this.email =
        switch (config.email()) {
          case "simulator" -> simulator.forChannel(Channel.EMAIL);
          case "smtp" -> smtp;
          default ->
              throw new IllegalArgumentException(
                  "cascade.providers.email: unknown provider '"
                      + config.email()
                      + "'; use simulator or smtp");
        };
  }

  /** The provider the next attempt on {@code channel} goes to. */
  public ChannelProvider providerFor(Channel channel) {
    return channel == Channel.EMAIL ? email : simulator.forChannel(channel);
  }
}
