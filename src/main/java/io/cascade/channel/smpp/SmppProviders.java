package io.cascade.channel.smpp;

import io.cascade.channel.Channel;
import io.cascade.channel.ChannelProvider;
import io.cascade.channel.ProviderFactory;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.cascade.channel.ReceiptSink;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Creates providers of type {@code smpp}: SMS through an SMSC over SMPP 3.4. */
@ApplicationScoped
public class SmppProviders implements ProviderFactory {

  private final ReceiptSink receipts;

  SmppProviders(ReceiptSink receipts) {
    this.receipts = receipts;
  }

  @Override
  public String type() {
    return "smpp";
  }

  @Override
  public Set<Channel> channels() {
    return Set.of(Channel.SMS);
  }

  @Override
  public ChannelProvider create(String name, Channel channel, ProviderSettings settings) {
    return new SmppProvider(
        name,
        ProviderFactory.required(
            settings.smpp(), name, "smpp", "host, system-id and source-address"),
        settings.timeout(),
        receipts);
  }
}
