package io.cascade.channel.simulator;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProviderPool;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.SendOutcome;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The built-in providers of type {@code simulator}, for every channel, so that the service runs end
 * to end without provider accounts. Their behaviour per channel is switched at runtime through
 * {@link SimulatorResource}; every simulator provider of a channel behaves alike.
 */
@ApplicationScoped
public class SimulatorProvider implements ProviderFactory {

  private static final Logger LOG = Logger.getLogger(SimulatorProvider.class);

  private final Vertx vertx;
  private final Map<Channel, AtomicReference<SimulatorSettings>> settings =
      new EnumMap<>(Channel.class);

  SimulatorProvider(Vertx vertx, SimulatorConfig config) {
    this.vertx = vertx;
    SimulatorSettings initial =
        new SimulatorSettings(SimulatorMode.fromJson(config.mode()), config.latencyMs());
    for (Channel channel : Channel.values()) {
      settings.put(channel, new AtomicReference<>(initial));
    }
  }

  @Override
  public String type() {
    return ProviderPool.SIMULATOR;
  }

  @Override
  public Set<Channel> channels() {
    return EnumSet.allOf(Channel.class);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings ignored) {
    return new ChannelSimulator(name, channel);
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
    private final String name;
    private final Channel channel;

    ChannelSimulator(String name, Channel channel) {
      this.name = name;
      this.channel = channel;
    }

    @Override
    public String name() {
      return name;
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
        case OK -> new SendOutcome.Delivered(name + "-" + UUID.randomUUID());
        case REJECT ->
            new SendOutcome.Rejected(
                "simulated permanent recipient error: " + message.to() + " cannot be reached");
        case FAIL -> throw new ProviderException("simulated transient provider error");
        case TIMEOUT -> throw new IllegalStateException("timeout mode never answers");
      };
    }
  }
}
