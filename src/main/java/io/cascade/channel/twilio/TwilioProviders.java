package io.cascade.channel.twilio;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.ProvidersConfig.TwilioSettings;
import io.cascade.channel.http.HttpProviders;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Creates providers of type {@code twilio}: SMS through a Twilio-compatible Messages API. */
@ApplicationScoped
public class TwilioProviders implements ProviderFactory {

  static final String TYPE = "twilio";

  private final Vertx vertx;

  TwilioProviders(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.SMS);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings settings) {
    TwilioSettings twilio =
        ProviderFactory.required(
            settings.twilio(), name, "twilio", "account-sid, auth-token and from");
    return new TwilioProvider(
        name, twilio, HttpProviders.client(vertx, settings), settings.timeout().toMillis());
  }
}
