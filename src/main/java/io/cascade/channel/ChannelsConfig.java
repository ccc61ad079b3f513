package io.cascade.channel;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.util.List;
import java.util.Map;

/**
 * Which providers serve each channel, in priority order: {@code
 * cascade.channel.<channel>.providers=carrier-a,carrier-b,twilio}. A channel without an entry is
 * served by the built-in simulator.
 */
@ConfigMapping(prefix = "cascade.channel")
public interface ChannelsConfig {

  @WithParentName
  Map<String, ChannelRouting> all();

  /** The providers of one channel. */
  interface ChannelRouting {
    List<String> providers();
  }
}
