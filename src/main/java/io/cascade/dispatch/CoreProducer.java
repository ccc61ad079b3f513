package io.cascade.dispatch;

import io.cascade.core.CascadeCore;
import io.cascade.core.CascadeRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.ThreadLocalRandom;

/** The cascade's rules, with this deployment's settings. */
@ApplicationScoped
class CoreProducer {

  @Produces
  @ApplicationScoped
  CascadeCore core(DispatchConfig dispatch, OutboxConfig outbox, DispatcherInstance instance) {
    return new CascadeCore(
        new CascadeRules(
            dispatch.claimLease(),
            instance.silenceLimit(),
            outbox.publishLease(),
            dispatch.routeRetryDelay(),
            dispatch.routeRetryMaxDelay(),
            () -> ThreadLocalRandom.current().nextDouble()));
  }
}
