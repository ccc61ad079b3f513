package io.cascade.console;

import io.cascade.analytics.DeliveryAnalytics;
import io.cascade.analytics.DeliveryReport;
import io.cascade.api.ApiException;
import io.cascade.channel.Channel;
import io.cascade.channel.ProviderPool;
import io.cascade.channel.simulator.SimulatorProvider;
import io.cascade.channel.simulator.SimulatorSettings;
import io.cascade.console.ConsoleSession.Role;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** What a signed-in operator sees: the whole service, every tenant. */
@Path("/console/api/operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Console")
public class OperatorConsoleResource {

  private final CurrentConsole current;
  private final ConsoleSessions sessions;
  private final OperatorFigures figures;
  private final ProviderPool providers;
  private final SimulatorProvider simulator;
  private final DeliveryAnalytics analytics;

  OperatorConsoleResource(
      CurrentConsole current,
      ConsoleSessions sessions,
      OperatorFigures figures,
      ProviderPool providers,
      SimulatorProvider simulator,
      DeliveryAnalytics analytics) {
    this.current = current;
    this.sessions = sessions;
    this.figures = figures;
    this.providers = providers;
    this.simulator = simulator;
    this.analytics = analytics;
  }

  @GET
  @Path("/figures")
  @Operation(summary = "Volumes per tenant, providers, the broker, backlogs")
  public Uni<OperatorFigures.Figures> figures() {
    requireOperator();
    return figures.now();
  }

  @GET
  @Path("/live")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @Operation(summary = "The operator figures again every 2 s, as server-sent events")
  public Multi<OperatorFigures.Figures> live() {
    requireOperator();
    String token = current.token();
    return Live.whileSignedIn(sessions, token, figures::now);
  }

  @GET
  @Path("/analytics")
  @Operation(
      summary =
          "Delivery rate and time to deliver per channel and provider over 1h, 24h or 7d, all"
              + " tenants")
  public Uni<DeliveryReport> analytics(
      @Parameter(description = "1h, 24h or 7d; default 24h") @QueryParam("window") String window) {
    requireOperator();
    return analytics.forAll(TenantConsoleResource.window(window));
  }

  @GET
  @Path("/simulators")
  @Operation(summary = "How each channel's simulator answers, for channels that have one")
  public Map<String, SimulatorSettings> simulators() {
    requireOperator();
    Map<String, SimulatorSettings> settings = new LinkedHashMap<>();
    for (Channel channel : simulatedChannels()) {
      settings.put(channel.id(), simulator.settings(channel));
    }
    return settings;
  }

  @PUT
  @Path("/simulators/{channel}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Switch how one channel's simulator answers (CSRF)")
  public void switchSimulator(
      @PathParam("channel") String channel, @Valid @NotNull SimulatorSettings settings) {
    requireOperator();
    Channel target =
        simulatedChannels().stream()
            .filter(c -> c.id().equals(channel))
            .findFirst()
            .orElseThrow(
                () -> ApiException.notFound("No simulator for channel '" + channel + "'."));
    simulator.configure(target, settings);
  }

  /** Channels whose providers include the simulator: a development or demo set-up. */
  private List<Channel> simulatedChannels() {
    return Arrays.stream(Channel.values())
        .filter(
            c ->
                providers.all().stream()
                    .anyMatch(p -> p.channel() == c && p.name().equals(ProviderPool.SIMULATOR)))
        .toList();
  }

  private void requireOperator() {
    if (current.session().role() != Role.OPERATOR) {
      throw ApiException.forbidden(
          "not-an-operator", "Sign in with the operator token to see this.");
    }
  }
}
