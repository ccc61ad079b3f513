package io.cascade.channel;

import io.cascade.channel.ChannelsConfig.ChannelRouting;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.observability.CascadeMetrics;
import io.quarkus.arc.All;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The providers of every channel ({@code cascade.channel.<channel>.providers}), each behind its own
 * guard, and the order in which an attempt tries them: the hot ones first, shuffled by weight so
 * that they share the traffic, then the warm ones and then the cold ones in the configured order.
 * Providers whose circuit is open or that are down move to the end, so that they are tried only
 * when nothing else is left; still tried then, which is how an open circuit gets its trial call.
 */
@ApplicationScoped
public class ProviderPool {

  /** The provider that needs no configuration: the built-in simulator. */
  public static final String SIMULATOR = "simulator";

  private static final Logger LOG = Logger.getLogger(ProviderPool.class);

  private final Map<Channel, Map<String, GuardedProvider>> byChannel = new EnumMap<>(Channel.class);

  ProviderPool(
      ChannelsConfig channels,
      ProvidersConfig providers,
      @All List<ProviderFactory> factories,
      CascadeMetrics metrics) {
    Map<String, ProviderFactory> factoryByType =
        factories.stream().collect(Collectors.toMap(ProviderFactory::type, Function.identity()));
    Map<String, Channel> channelOfProvider = new HashMap<>();
    for (Channel channel : Channel.values()) {
      ChannelRouting routing = channels.all().get(channel.id());
      List<String> names = routing == null ? List.of(SIMULATOR) : routing.providers();
      Map<String, GuardedProvider> ordered = new LinkedHashMap<>();
      for (String name : names) {
        Channel other = channelOfProvider.put(name, channel);
        if (other != null && !SIMULATOR.equals(typeOf(name, providers))) {
          throw new IllegalArgumentException(
              "provider '" + name + "' is listed for both " + other.id() + " and " + channel.id());
        }
        ProviderSettings settings = providers.all().get(name);
        String type = typeOf(name, providers);
        ProviderFactory factory = factoryByType.get(type);
        if (factory == null) {
          throw new IllegalArgumentException(
              "cascade.provider.\""
                  + name
                  + "\".type: unknown type '"
                  + type
                  + "'; use one of "
                  + String.join(", ", factoryByType.keySet()));
        }
        if (!factory.channels().contains(channel)) {
          throw new IllegalArgumentException(
              "provider '"
                  + name
                  + "' ("
                  + type
                  + ") cannot serve the "
                  + channel.id()
                  + " channel");
        }
        ordered.put(
            name,
            new GuardedProvider(
                channel, factory.create(name, channel, settings), settings, metrics));
      }
      if (ordered.isEmpty()) {
        throw new IllegalArgumentException(
            "cascade.channel." + channel.id() + ".providers: name at least one provider");
      }
      byChannel.put(channel, ordered);
    }
  }

  void connect(@Observes StartupEvent started) {
    all().stream()
        .filter(guarded -> guarded.standby() != Standby.COLD)
        .forEach(guarded -> guarded.provider().connect());
    byChannel.forEach(
        (channel, providers) ->
            LOG.infof(
                "%s providers: %s",
                channel.id(),
                providers.values().stream()
                    .map(p -> p.name() + " (" + p.standby().id() + ")")
                    .collect(Collectors.joining(", "))));
  }

  void close(@Observes ShutdownEvent stopping) {
    all().forEach(guarded -> guarded.provider().close());
  }

  /** The providers of {@code channel} not in {@code tried}, in the order to try them now. */
  public List<GuardedProvider> candidates(Channel channel, Set<String> tried) {
    List<GuardedProvider> hot = new ArrayList<>();
    List<GuardedProvider> others = new ArrayList<>();
    for (GuardedProvider guarded : byChannel.get(channel).values()) {
      if (!tried.contains(guarded.name())) {
        (guarded.standby() == Standby.HOT ? hot : others).add(guarded);
      }
    }
    List<GuardedProvider> order = new ArrayList<>(byWeight(hot));
    // Stable sort: warm before cold, each in configured order.
    others.sort(Comparator.comparing(GuardedProvider::standby));
    order.addAll(others);
    List<GuardedProvider> available = new ArrayList<>();
    List<GuardedProvider> unavailable = new ArrayList<>();
    order.forEach(guarded -> (guarded.unavailable() ? unavailable : available).add(guarded));
    available.addAll(unavailable);
    return available;
  }

  /** The named provider of {@code channel}. */
  public GuardedProvider provider(Channel channel, String name) {
    GuardedProvider guarded = byChannel.get(channel).get(name);
    if (guarded == null) {
      throw new IllegalArgumentException("no provider '" + name + "' for " + channel.id());
    }
    return guarded;
  }

  /** Every configured provider of every channel. */
  public List<GuardedProvider> all() {
    return byChannel.values().stream().flatMap(m -> m.values().stream()).toList();
  }

  /** Weighted random order (Efraimidis-Spirakis): each comes first with a chance = its share. */
  private static List<GuardedProvider> byWeight(List<GuardedProvider> hot) {
    if (hot.size() < 2) {
      return hot;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Map<GuardedProvider, Double> keys = new HashMap<>();
    hot.forEach(p -> keys.put(p, Math.pow(random.nextDouble(), 1.0 / p.weight())));
    List<GuardedProvider> sorted = new ArrayList<>(hot);
    sorted.sort(Comparator.comparing(keys::get, Comparator.reverseOrder()));
    return sorted;
  }

  private static String typeOf(String name, ProvidersConfig providers) {
    Optional<String> type = providers.all().get(name).type();
    if (type.isPresent()) {
      return type.get();
    }
    if (SIMULATOR.equals(name)) {
      return SIMULATOR;
    }
    throw new IllegalArgumentException(
        "provider '"
            + name
            + "' is listed for a channel but cascade.provider.\""
            + name
            + "\".type is not set");
  }
}
