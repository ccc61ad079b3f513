package io.cascade.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Refuses bodies over 64 KiB with a problem response before any of it is read. Chunked bodies (no
 * Content-Length) are cut by {@code quarkus.http.limits.max-body-size}, set to the same limit;
 * Quarkus answers those with a bare 413 that we found no hook to dress as a problem.
 */
@Singleton
public class BodyLimitFilter {

  /** The largest request body the API accepts. */
  public static final long MAX_BODY_BYTES = 64 * 1024;

  void install(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            ctx -> {
              String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && exceeds(length)) {
                refuse(ctx);
              } else {
                ctx.next();
              }
            });
  }

  private static void refuse(RoutingContext ctx) {
    Problem problem =
        new Problem(
            ProblemMapper.TYPE_PREFIX + "payload-too-large",
            "Payload Too Large",
            413,
            "The body is larger than " + MAX_BODY_BYTES + " bytes.",
            null);
    ctx.response()
        .setStatusCode(413)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(Json.encode(problem));
  }

  private static boolean exceeds(String contentLength) {
    try {
      return Long.parseLong(contentLength.trim()) > MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
