package io.cascade.channel.whatsapp;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.ProvidersConfig.WhatsAppSettings;
import io.cascade.channel.http.HttpProviders;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Creates providers of type {@code whatsapp}: the WhatsApp Business Cloud API. */
@ApplicationScoped
public class WhatsAppProviders implements ProviderFactory {

  static final String TYPE = "whatsapp";

  private final Vertx vertx;

  WhatsAppProviders(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.WHATSAPP);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings settings) {
    WhatsAppSettings whatsapp =
        ProviderFactory.required(
            settings.whatsapp(),
            name,
            "whatsapp",
            "phone-number-id, access-token, app-secret and verify-token");
    return new WhatsAppProvider(
        name, whatsapp, HttpProviders.client(vertx, settings), settings.timeout().toMillis());
  }
}
