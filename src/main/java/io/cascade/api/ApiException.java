package io.cascade.api;

import jakarta.ws.rs.core.Response.Status;
import java.util.List;

/**
 * An expected error answered as a problem: its status, type slug and detail are meant for clients.
 */
public class ApiException extends RuntimeException {

  private final Status status;
  private final String type;
  private final List<Problem.FieldError> errors;

  public ApiException(Status status, String type, String detail) {
    this(status, type, detail, null);
  }

  private ApiException(Status status, String type, String detail, List<Problem.FieldError> errors) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.errors = errors;
  }

  /** A validation problem found outside Bean Validation (headers, query parameters). */
  public static ApiException invalidFields(List<Problem.FieldError> errors) {
    return new ApiException(
        Status.BAD_REQUEST, "validation", "The request has invalid fields.", errors);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(Status.NOT_FOUND, "not-found", detail);
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(Status.UNAUTHORIZED, "unauthorized", detail);
  }

  /** A provider callback whose signature is missing or wrong (no bearer scheme applies). */
  public static ApiException badSignature(String detail) {
    return new ApiException(Status.UNAUTHORIZED, "bad-signature", detail);
  }

  public Status status() {
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
}
