package io.cascade.channel;

import io.cascade.channel.simulator.SimulatorProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Picks the provider that serves a channel. Every channel is served by the built-in simulator until
 * real providers exist; they plug in here, behind {@link ChannelProvider}, without touching the
 * cascade.
 */
@ApplicationScoped
public class ProviderDirectory {

  private final SimulatorProvider simulator;

  ProviderDirectory(SimulatorProvider simulator) {
    this.simulator = simulator;
  }

  /** The provider the next attempt on {@code channel} goes to. */
  public ChannelProvider providerFor(Channel channel) {
    return simulator.forChannel(channel);
  }
}
