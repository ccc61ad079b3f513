package io.cascade.api;

import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.Response.StatusType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expected error answered as a problem: its status, type slug and detail are meant for clients.
 */
public class ApiException extends RuntimeException {

  /** 422, for which {@link Status} has no constant. */
  private static final StatusType UNPROCESSABLE_CONTENT =
      new StatusType() {
        @Override
        public int getStatusCode() {
          return 422;
        }

        @Override
        public Status.Family getFamily() {
          return Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
          return "Unprocessable Content";
        }
      };

  private final StatusType status;
  private final String type;
  private final List<Problem.FieldError> errors;
  private final Map<String, String> headers;

  public ApiException(StatusType status, String type, String detail) {
    this(status, type, detail, null, Map.of());
  }

  private ApiException(
      StatusType status,
      String type,
      String detail,
      List<Problem.FieldError> errors,
      Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.errors = errors;
    this.headers = headers;
  }

  /** The same problem, answered with one more response header. */
  public ApiException withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiException(status, type, getMessage(), errors, Map.copyOf(more));
  }

  /** 429: the caller is over a limit; it may try again after {@code retryAfterSeconds}. */
  public static ApiException tooManyRequests(String type, String detail, long retryAfterSeconds) {
    return new ApiException(Status.TOO_MANY_REQUESTS, type, detail)
        .withHeader("Retry-After", Long.toString(retryAfterSeconds));
  }

  /** A validation problem found outside Bean Validation (headers, query parameters). */
  public static ApiException invalidFields(List<Problem.FieldError> errors) {
    return new ApiException(
        Status.BAD_REQUEST, "validation", "The request has invalid fields.", errors, Map.of());
  }

  /**
   * A well-formed request that cannot be carried out as the tenant's setup stands (422), with the
   * fields it is about.
   */
  public static ApiException unprocessable(
      String type, String detail, List<Problem.FieldError> errors) {
    return new ApiException(UNPROCESSABLE_CONTENT, type, detail, errors, Map.of());
  }

  public static ApiException notFound(String detail) {
    return new ApiException(Status.NOT_FOUND, "not-found", detail);
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(Status.UNAUTHORIZED, "unauthorized", detail);
  }

  /** Authenticated, but not allowed: a disabled tenant. */
  public static ApiException forbidden(String type, String detail) {
    return new ApiException(Status.FORBIDDEN, type, detail);
  }

  /** The request conflicts with the current state (409). */
  public static ApiException conflict(String type, String detail) {
    return new ApiException(Status.CONFLICT, type, detail);
  }

  /** Not now: retry after {@code retryAfterSeconds} (503). */
  public static ApiException unavailable(String detail, int retryAfterSeconds) {
    return new ApiException(Status.SERVICE_UNAVAILABLE, "unavailable", detail)
        .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
  }

  /** Too much is waiting to be stored: this request was not, retry after a second (503). */
  public static ApiException overloaded(String detail) {
    return new ApiException(Status.SERVICE_UNAVAILABLE, "overloaded", detail)
        .withHeader("Retry-After", "1");
  }

  /** A provider callback whose signature is missing or wrong (no bearer scheme applies). */
  public static ApiException badSignature(String detail) {
    return new ApiException(Status.UNAUTHORIZED, "bad-signature", detail);
  }

  public StatusType status() {
    return status;
  }

  /** The last segment of the problem type URI, e.g. {@code idempotency-conflict}. */
  public String type() {
    return type;
  }

  /** Field-level detail of a validation problem, or null. */
  public List<Problem.FieldError> errors() {
    return errors;
  }

  /** Headers the answer carries besides the problem body ({@code Retry-After}, ...). */
  public Map<String, String> headers() {
    return headers;
  }
}
