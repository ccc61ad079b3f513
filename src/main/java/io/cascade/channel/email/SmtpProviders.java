package io.cascade.channel.email;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.quarkus.mailer.reactive.ReactiveMailer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Creates providers of type {@code smtp}: email over the server under {@code quarkus.mailer.*}. */
@ApplicationScoped
public class SmtpProviders implements ProviderFactory {

  private final ReactiveMailer mailer;

  SmtpProviders(ReactiveMailer mailer) {
    this.mailer = mailer;
  }

  @Override
  public String type() {
    return "smtp";
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.EMAIL);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings settings) {
    return new SmtpProvider(name, mailer);
  }
}
