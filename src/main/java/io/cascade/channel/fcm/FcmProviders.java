package io.cascade.channel.fcm;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProvidersConfig.FcmSettings;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.http.HttpProviders;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Creates providers of type {@code fcm}: push through Firebase Cloud Messaging HTTP v1. */
@ApplicationScoped
public class FcmProviders implements ProviderFactory {

  private final Vertx vertx;

  FcmProviders(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String type() {
    return "fcm";
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.PUSH);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings settings) {
    FcmSettings fcm =
        ProviderFactory.required(
            settings.fcm(), name, "fcm", "project-id, client-email and private-key");
    WebClient client = HttpProviders.client(vertx, settings);
    long timeout = settings.timeout().toMillis();
    AccessTokens tokens;
    try {
      tokens = new AccessTokens(fcm, client, timeout);
    } catch (IllegalArgumentException badKey) {
      client.close();
      throw new IllegalArgumentException(
          "cascade.provider.\"" + name + "\"." + badKey.getMessage());
    }
    return new FcmProvider(name, fcm, client, tokens, timeout);
  }
}
