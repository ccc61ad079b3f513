package io.cascade.console;

import io.cascade.analytics.DeliveryAnalytics;
import io.cascade.analytics.DeliveryReport;
import io.cascade.analytics.Window;
import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.PlainText;
import io.cascade.api.Problem;
import io.cascade.console.ConsoleSession.Role;
import io.cascade.intake.Intake;
import io.cascade.limit.RateLimits;
import io.cascade.message.MessageService;
import io.cascade.message.MessageStatus;
import io.cascade.message.MessageView;
import io.cascade.message.SendMessageRequest;
import io.cascade.webhook.WebhookEvents;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** What a signed-in tenant sees: its figures (live), its messages and their cascades. */
@Path("/console/api/tenant")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Console")
public class TenantConsoleResource {

  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 200;
  private static final int MAX_EXPORT = 10_000;
  private static final Set<String> PRIORITIES = Set.of("high", "normal", "bulk");
  private static final String RECEIPTS =
      "SELECT a.step, lower(a.channel) AS channel, r.provider, lower(r.status) AS status,"
          + " r.error_code, r.received_at FROM receipt r JOIN attempt a ON r.attempt_id = a.id"
          + " WHERE a.message_id = $1 ORDER BY r.received_at";

  private final CurrentConsole current;
  private final ConsoleSessions sessions;
  private final TenantFigures figures;
  private final MessageSearch search;
  private final MessageService messages;
  private final WebhookEvents events;
  private final Pool database;
  private final Intake intake;
  private final RateLimits limits;
  private final DeliveryAnalytics analytics;

  TenantConsoleResource(
      CurrentConsole current,
      ConsoleSessions sessions,
      TenantFigures figures,
      MessageSearch search,
      MessageService messages,
      WebhookEvents events,
      Pool database,
      Intake intake,
      RateLimits limits,
      DeliveryAnalytics analytics) {
    this.current = current;
    this.sessions = sessions;
    this.figures = figures;
    this.search = search;
    this.messages = messages;
    this.events = events;
    this.database = database;
    this.intake = intake;
    this.limits = limits;
    this.analytics = analytics;
  }

  @GET
  @Path("/figures")
  @Operation(summary = "The last hour: per minute, per channel and provider, failovers, webhooks")
  public Uni<TenantFigures.Figures> figures() {
    return figures.of(tenantId());
  }

  @GET
  @Path("/live")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @Operation(summary = "The figures again every 2 s, as server-sent events")
  public Multi<TenantFigures.Figures> live() {
    // Read now: the stream outlives the request scope.
    UUID tenantId = tenantId();
    String token = current.token();
    return Live.whileSignedIn(sessions, token, () -> figures.of(tenantId));
  }

  @GET
  @Path("/analytics")
  @Operation(
      summary =
          "Delivery rate and time to deliver per channel and provider over 1h, 24h or 7d, and"
              + " the attempts per hour")
  public Uni<DeliveryReport> analytics(
      @Parameter(description = "1h, 24h or 7d; default 24h") @QueryParam("window") String window) {
    return analytics.forTenant(tenantId(), window(window));
  }

  /** The analytics window named by a query parameter: 24h when none is. */
  static Window window(String label) {
    if (blank(label)) {
      return Window.DAY;
    }
    return Window.fromLabel(label)
        .orElseThrow(
            () ->
                ApiException.invalidFields(
                    List.of(new Problem.FieldError("window", "must be one of " + Window.LABELS))));
  }

  /** The search form's fields, as query parameters; all optional. */
  public static class SearchParams {
    @QueryParam("id")
    public String id;

    @QueryParam("reference")
    public String reference;

    @QueryParam("to")
    public String to;

    @QueryParam("status")
    public String status;

    @QueryParam("priority")
    public String priority;

    @Parameter(description = "UTC, e.g. 2026-12-03T10:00:00Z")
    @QueryParam("from")
    public String from;

    @QueryParam("until")
    public String until;

    @Parameter(description = "nextCursor of the previous page")
    @QueryParam("cursor")
    public String cursor;

    @Parameter(description = "1-200, default 50")
    @QueryParam("limit")
    public String limit;
  }

  @GET
  @Path("/messages")
  @Operation(summary = "Search messages by id, reference, recipient, status, priority and time")
  public Uni<MessageSearch.Page> find(@BeanParam SearchParams params) {
    int pageSize = DEFAULT_PAGE;
    List<Problem.FieldError> errors = new ArrayList<>();
    if (!blank(params.limit)) {
      pageSize = Params.pageSize(params.limit, MAX_PAGE).orElse(-1);
      if (pageSize < 0) {
        errors.add(new Problem.FieldError("limit", "must be a number from 1 to " + MAX_PAGE));
      }
    }
    return search.find(tenantId(), criteria(params, pageSize, errors));
  }

  @GET
  @Path("/messages.csv")
  @Produces("text/csv")
  @Operation(summary = "The search's messages as CSV, newest first, up to 10,000")
  public Uni<Response> export(@BeanParam SearchParams params) {
    MessageSearch.Criteria criteria = criteria(params, MAX_EXPORT, new ArrayList<>());
    return search
        .find(tenantId(), criteria)
        .map(
            page ->
                Response.ok(Csv.of(page.items()))
                    .header("Content-Disposition", "attachment; filename=\"cascade-messages.csv\"")
                    .build());
  }

  /** The criteria of a search; a 400 with every wrong field at once. */
  private static MessageSearch.Criteria criteria(
      SearchParams params, int limit, List<Problem.FieldError> errors) {
    UUID messageId = blank(params.id) ? null : uuid("id", params.id, errors);
    UUID before = blank(params.cursor) ? null : uuid("cursor", params.cursor, errors);
    for (String[] text : new String[][] {{"reference", params.reference}, {"to", params.to}}) {
      PlainText.Validator.problem(text[1], false)
          .ifPresent(problem -> errors.add(new Problem.FieldError(text[0], problem)));
    }
    if (!blank(params.status) && MessageStatus.fromId(params.status).isEmpty()) {
      errors.add(
          new Problem.FieldError(
              "status",
              "must be one of accepted, sending, waiting, sent, delivered, failed, expired"));
    }
    if (!blank(params.priority) && !PRIORITIES.contains(params.priority)) {
      errors.add(new Problem.FieldError("priority", "must be one of high, normal, bulk"));
    }
    Instant from = instant("from", params.from, errors);
    Instant until = instant("until", params.until, errors);
    if (!errors.isEmpty()) {
      // The order of the form, whatever order the checks ran in.
      List<String> order =
          List.of(
              "id", "reference", "to", "status", "priority", "from", "until", "cursor", "limit");
      errors.sort(java.util.Comparator.comparingInt(e -> order.indexOf(e.field())));
      throw ApiException.invalidFields(errors);
    }
    return new MessageSearch.Criteria(
        messageId,
        blank(params.reference) ? null : params.reference,
        blank(params.to) ? null : params.to.trim(),
        blank(params.status) ? null : params.status,
        blank(params.priority) ? null : params.priority,
        from,
        until,
        before,
        limit);
  }

  @GET
  @Path("/messages/{id}")
  @Operation(summary = "One message's cascade: steps, attempts, receipts and webhook events")
  public Uni<Timeline.View> timeline(@PathParam("id") String id) {
    UUID tenantId = tenantId();
    UUID messageId = Params.uuid(id).orElseThrow(() -> notFound(id));
    return messages
        .find(tenantId, messageId)
        .flatMap(
            message -> {
              if (message == null) {
                throw notFound(id);
              }
              return Uni.combine()
                  .all()
                  .unis(receipts(messageId), events.of(tenantId, messageId))
                  .with((receipts, found) -> Timeline.of(message, receipts, found));
            });
  }

  /** A test message: any route, as the API takes it; answered with the accepted message. */
  @POST
  @Path("/messages")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Send a test message (rate limits apply as on the API)")
  public Uni<MessageView> send(@Valid @NotNull SendMessageRequest request) {
    UUID tenantId = tenantId();
    if (request.callbackUrl() != null) {
      throw ApiException.invalidFields(
          List.of(new Problem.FieldError("callbackUrl", "not taken by the console: use the API")));
    }
    limits.admit(tenantId);
    return intake.accept(tenantId, null, request).map(Intake.Accepted::message);
  }

  private Uni<List<Timeline.ReceiptEntry>> receipts(UUID messageId) {
    return database
        .preparedQuery(RECEIPTS)
        .execute(Tuple.of(messageId))
        .map(
            rows -> {
              List<Timeline.ReceiptEntry> receipts = new ArrayList<>();
              for (Row row : rows) {
                receipts.add(
                    new Timeline.ReceiptEntry(
                        row.getInteger("step"),
                        row.getString("channel"),
                        row.getString("provider"),
                        row.getString("status"),
                        row.getString("error_code"),
                        row.getOffsetDateTime("received_at").toInstant()));
              }
              return receipts;
            });
  }

  /** The signed-in tenant; an operator session has no tenant pages. */
  private UUID tenantId() {
    ConsoleSession session = current.session();
    if (session.role() != Role.TENANT) {
      throw ApiException.forbidden("not-a-tenant", "Sign in with a tenant's API key to see this.");
    }
    return session.tenantId();
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("No message " + id + " for this tenant.");
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static UUID uuid(String field, String value, List<Problem.FieldError> errors) {
    UUID parsed = Params.uuid(value.trim()).orElse(null);
    if (parsed == null) {
      errors.add(new Problem.FieldError(field, "must be a message id"));
    }
    return parsed;
  }

  private static Instant instant(String field, String value, List<Problem.FieldError> errors) {
    if (blank(value)) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      errors.add(new Problem.FieldError(field, "must be a UTC time such as 2026-12-03T10:15:00Z"));
      return null;
    }
  }
}
