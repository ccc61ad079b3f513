package io.cascade.console;

import io.cascade.api.ApiException;
import io.cascade.console.ConsoleSession.Role;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
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

  OperatorConsoleResource(
      CurrentConsole current, ConsoleSessions sessions, OperatorFigures figures) {
    this.current = current;
    this.sessions = sessions;
    this.figures = figures;
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

  private void requireOperator() {
    if (current.session().role() != Role.OPERATOR) {
      throw ApiException.forbidden(
          "not-an-operator", "Sign in with the operator token to see this.");
    }
  }
}
