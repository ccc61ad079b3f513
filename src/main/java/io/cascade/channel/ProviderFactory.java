package io.cascade.channel;

import io.cascade.channel.ProvidersConfig.ProviderSettings;
import java.util.Optional;
import java.util.Set;

/**
 * Creates the providers of one type ({@code cascade.provider."<name>".type}). Each provider package
 * contributes one as a CDI bean; {@link ProviderPool} picks it by type.
 */
public interface ProviderFactory {

  /** The value of {@code type} this factory serves, e.g. {@code smpp}. */
  String type();

  /** The channels its providers can serve. */
  Set<Channel> channels();

  /** Creates the named provider for {@code channel}; bad settings fail with a clear message. */
  ChannelProvider create(String name, Channel channel, ProviderSettings settings);

  /**
   * The provider's protocol settings ({@code cascade.provider."<name>".<group>.*}), or a start-up
   * error naming the keys to set.
   */
  static <T> T required(Optional<T> settings, String name, String group, String keys) {
    return settings.orElseThrow(
        () ->
            new IllegalArgumentException(
                "cascade.provider.\"" + name + "\"." + group + ": set " + keys));
  }
}
