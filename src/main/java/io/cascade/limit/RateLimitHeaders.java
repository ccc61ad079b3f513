package io.cascade.limit;

import io.cascade.api.ApiException;
import jakarta.ws.rs.core.Response;

/** The {@code RateLimit-Limit}, {@code -Remaining} and {@code -Reset} headers of an answer. */
public record RateLimitHeaders(long limit, long remaining, long resetSeconds) {

  /** Adds the headers to an answer being built. */
  public Response.ResponseBuilder onto(Response.ResponseBuilder response) {
    return response
        .header("RateLimit-Limit", limit)
        .header("RateLimit-Remaining", remaining)
        .header("RateLimit-Reset", resetSeconds);
  }

  ApiException onto(ApiException problem) {
    return problem
        .withHeader("RateLimit-Limit", Long.toString(limit))
        .withHeader("RateLimit-Remaining", Long.toString(remaining))
        .withHeader("RateLimit-Reset", Long.toString(resetSeconds));
  }
}
