package io.cascade.channel.simulator;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.SendOutcome;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The built-in provider of every channel, so that the service runs end to end without provider
 * accounts. Its behaviour per channel is switched at runtime through {@link SimulatorResource}.
 */
@ApplicationScoped
public class SimulatorProvider {

  /** The provider name recorded on attempts. */
  public static final String NAME = "simulator";

  private static final Logger LOG = Logger.getLogger(SimulatorProvider.class);

  private final Vertx vertx;
  private final Map<Channel, AtomicReference<SimulatorSettings>> settings =
      new EnumMap<>(Channel.class);
  private final Map<Channel, ChannelProvider> providers = new EnumMap<>(Channel.class);

  SimulatorProvider(Vertx vertx, SimulatorConfig config) {
    this.vertx = vertx;
    SimulatorSettings initial =
        new SimulatorSettings(SimulatorMode.fromJson(config.mode()), config.latencyMs());
    for (Channel channel : Channel.values()) {
      settings.put(channel, new AtomicReference<>(initial));
      providers.put(channel, new ChannelSimulator(channel));
    }
  }

  /** The simulator of one channel, as a provider. */
  public ChannelProvider forChannel(Channel channel) {
    return providers.get(channel);
  }

  public SimulatorSettings settings(Channel channel) {
    return settings.get(channel).get();
  }

  public void configure(Channel channel, SimulatorSettings newSettings) {
    settings.get(channel).set(newSettings);
    LOG.infof(
        "simulator for %s now answers %s after %d ms",
        channel.id(), newSettings.mode().id(), newSettings.latencyMs());
  }

  private Uni<Void> after(int millis) {
    if (millis <= 0) {
      return Uni.createFrom().voidItem();
    }
    // A Vert.x timer fires on the caller's context, so the dispatcher stays on its event loop.
    return Uni.createFrom()
        .emitter(
            emitter -> {
              long timer = vertx.setTimer(millis, ignored -> emitter.complete(null));
              emitter.onTermination(() -> vertx.cancelTimer(timer));
            });
  }

  private final class ChannelSimulator implements ChannelProvider {
    private final Channel channel;

    ChannelSimulator(Channel channel) {
      this.channel = channel;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Uni<SendOutcome> send(Outbound message) {
      SimulatorSettings current = settings(channel);
      LOG.debugf(
          "simulator %s: %s for message %s",
          channel.id(), current.mode().id(), message.messageId());
      if (current.mode() == SimulatorMode.TIMEOUT) {
        return Uni.createFrom().nothing();
      }
      return after(current.latencyMs()).map(ignored -> answer(current.mode(), message));
    }

    private SendOutcome answer(SimulatorMode mode, Outbound message) {
      return switch (mode) {
        case OK -> new SendOutcome.Delivered(NAME + "-" + UUID.randomUUID());
        case REJECT ->
            new SendOutcome.Rejected(
                "simulated permanent recipient error: " + message.to() + " cannot be reached");
        case FAIL -> throw new ProviderException("simulated transient provider error");
        case TIMEOUT -> throw new IllegalStateException("timeout mode never answers");
      };
    }
  }
}
