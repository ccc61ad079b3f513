package io.cascade.intake;

import io.cascade.api.ApiException;
import io.cascade.api.Params;
import io.cascade.api.PlainText;
import io.cascade.api.Problem;
import io.cascade.limit.RateLimitHeaders;
import io.cascade.limit.RateLimits;
import io.cascade.message.MessagePage;
import io.cascade.message.MessageService;
import io.cascade.message.MessageStatus;
import io.cascade.message.MessageView;
import io.cascade.message.SendMessageRequest;
import io.cascade.observability.CascadeMetrics;
import io.cascade.outbound.TenantUrls;
import io.cascade.tenant.CurrentTenant;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant API: send a message, read one, list them. */
@Path("/v1/messages")
@Tag(name = "Messages")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(
    responseCode = "401",
    description = "Missing or invalid API key",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(
    responseCode = "503",
    description = "Message store unreachable; nothing stored. Retry after the Retry-After seconds.",
    content =
        @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class MessageResource {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;

  private final Intake intake;
  private final MessageService service;
  private final CurrentTenant tenant;
  private final CascadeMetrics metrics;
  private final TenantUrls urls;
  private final RateLimits limits;

  MessageResource(
      Intake intake,
      MessageService service,
      CurrentTenant tenant,
      CascadeMetrics metrics,
      TenantUrls urls,
      RateLimits limits) {
    this.intake = intake;
    this.service = service;
    this.tenant = tenant;
    this.metrics = metrics;
    this.urls = urls;
    this.limits = limits;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Send a message",
      description =
          "Answers 202 once the message is committed; it is then delivered over the first step of"
              + " its route that works. A replay with the same Idempotency-Key and body answers 200"
              + " with the original message.")
  @APIResponse(
      responseCode = "202",
      description = "Accepted; Location names the message",
      content = @Content(schema = @Schema(implementation = MessageView.class)))
  @APIResponse(
      responseCode = "200",
      description = "Idempotent replay: the message created earlier with this key",
      content = @Content(schema = @Schema(implementation = MessageView.class)))
  @APIResponse(
      responseCode = "400",
      description = "Malformed JSON or invalid fields; nothing stored",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "409",
      description = "Idempotency-Key already used with a different body",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "413",
      description = "Body over 64 KiB",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "415",
      description = "Body is not application/json",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "429",
      description =
          "Over the tenant's rate (rate-limited) or daily quota (quota-exceeded); nothing stored."
              + " Retry after the Retry-After seconds; RateLimit-* headers say the limit.",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "422",
      description =
          "callbackUrl given while the tenant has no webhook (PUT /v1/webhook first), or not"
              + " https, or not resolving to public addresses; nothing stored",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<Response> send(
      @Parameter(
              in = ParameterIn.HEADER,
              description = "1-255 characters; repeats within 24 h return the same message")
          @HeaderParam(IDEMPOTENCY_KEY)
          String idempotencyKey,
      @Context HttpHeaders headers,
      @NotNull @Valid SendMessageRequest request) {
    long start = System.nanoTime();
    // An empty header arrives as null; it is a client bug worth reporting, not "no key".
    boolean presentButEmpty =
        idempotencyKey == null && !headers.getRequestHeader(IDEMPOTENCY_KEY).isEmpty();
    if (presentButEmpty || (idempotencyKey != null && idempotencyKey.length() > 255)) {
      throw ApiException.invalidFields(
          List.of(new Problem.FieldError(IDEMPOTENCY_KEY, "must be 1 to 255 characters")));
    }
    RateLimitHeaders rate = limits.admit(tenant.id());
    Uni<Void> callable =
        request.callbackUrl() == null
            ? Uni.createFrom().voidItem()
            : urls.requireCallable("callbackUrl", request.callbackUrl());
    return callable
        .flatMap(cleared -> intake.accept(tenant.id(), idempotencyKey, request))
        .map(
            accepted -> {
              if (!accepted.replayed()) {
                metrics.accepted(start);
              }
              return rate.onto(
                      Response.status(
                              accepted.replayed() ? Response.Status.OK : Response.Status.ACCEPTED)
                          .location(URI.create("/v1/messages/" + accepted.message().id()))
                          .entity(accepted.message()))
                  .build();
            });
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "Read a message with its attempts")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = MessageView.class)))
  @APIResponse(
      responseCode = "404",
      description = "No such message for this tenant",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<MessageView> get(@PathParam("id") String id) {
    UUID messageId = Params.uuid(id).orElseThrow(() -> notFound(id));
    return service.find(tenant.id(), messageId).onItem().ifNull().failWith(() -> notFound(id));
  }

  @GET
  @Operation(summary = "List messages, newest first")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = MessagePage.class)))
  @APIResponse(
      responseCode = "400",
      description = "Invalid query parameter",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Uni<MessagePage> list(
      @Parameter(description = "accepted, sending, sent, delivered, failed or expired")
          @QueryParam("status")
          String status,
      @Parameter(description = "Only messages with this reference") @QueryParam("reference")
          String reference,
      @Parameter(description = "1-100, default 20") @QueryParam("limit") String limit,
      @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor")
          String cursor) {
    List<Problem.FieldError> errors = new ArrayList<>();
    MessageStatus statusFilter = null;
    if (status != null) {
      statusFilter = MessageStatus.fromId(status).orElse(null);
      if (statusFilter == null) {
        errors.add(
            new Problem.FieldError(
                "status", "must be one of accepted, sending, sent, delivered, failed, expired"));
      }
    }
    int pageSize = DEFAULT_PAGE_SIZE;
    if (limit != null) {
      pageSize = Params.pageSize(limit, MAX_PAGE_SIZE).orElse(-1);
      if (pageSize < 0) {
        errors.add(new Problem.FieldError("limit", "must be a number from 1 to " + MAX_PAGE_SIZE));
      }
    }
    PlainText.Validator.problem(reference, false)
        .ifPresent(problem -> errors.add(new Problem.FieldError("reference", problem)));
    UUID before = null;
    if (cursor != null) {
      before = Params.uuid(cursor).orElse(null);
      if (before == null) {
        errors.add(new Problem.FieldError("cursor", "must be a nextCursor from a previous page"));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalidFields(errors);
    }
    return service.list(tenant.id(), statusFilter, reference, before, pageSize);
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("No message " + id + " for this tenant.");
  }
}
