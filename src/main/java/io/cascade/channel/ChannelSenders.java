package io.cascade.channel;

import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The guarded sender of each channel. */
@ApplicationScoped
public class ChannelSenders {

  private final Map<Channel, ChannelSender> byChannel = new EnumMap<>(Channel.class);

  ChannelSenders(@All List<ChannelSender> senders) {
    senders.forEach(sender -> byChannel.put(sender.channel(), sender));
    for (Channel channel : Channel.values()) {
      if (!byChannel.containsKey(channel)) {
        throw new IllegalStateException("no sender for channel " + channel.id());
      }
    }
  }

  public ChannelSender forChannel(Channel channel) {
    return byChannel.get(channel);
  }
}
