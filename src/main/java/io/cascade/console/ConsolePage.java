package io.cascade.console;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The console's page is {@code /console/index.html}, served from the application's static
 * resources; {@code /console} sends the browser there, so its relative links resolve.
 */
@ApplicationScoped
public class ConsolePage {

  void redirect(@Observes Router router) {
    router.getWithRegex("^/console$").handler(context -> context.redirect("/console/"));
  }
}
