package io.cascade.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.smallrye.mutiny.CompositeException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where errors become responses: every error is an RFC 9457 {@code
 * application/problem+json} body, and nothing internal (stack traces, SQL) leaks out.
 */
public class ProblemMapper {

  /** Problem type URIs are relative references; docs/api.md describes each one. */
  public static final String TYPE_PREFIX = "/problems/";

  /** Seconds a client should wait before retrying when the database is unreachable. */
  static final String RETRY_AFTER_SECONDS = "5";

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response apiError(ApiException e) {
    String title = e.errors() != null ? "Invalid request" : e.status().getReasonPhrase();
    Response.ResponseBuilder response =
        problem(e.status(), e.type(), title, e.getMessage(), e.errors());
    if ("unauthorized".equals(e.type())) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    e.headers().forEach(response::header);
    return response.build();
  }

  @ServerExceptionMapper
  public Response invalidFields(ConstraintViolationException e) {
    List<Problem.FieldError> errors =
        e.getConstraintViolations().stream()
            .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
            .sorted(Comparator.comparing(Problem.FieldError::field))
            .toList();
    return validation("The request has invalid fields.", errors);
  }

  @ServerExceptionMapper
  public Response malformedJson(JsonProcessingException e) {
    StreamReadException unreadable = causeOfType(e, StreamReadException.class);
    if (unreadable != null || !(e instanceof JsonMappingException mapping)) {
      JsonProcessingException cause = unreadable != null ? unreadable : e;
      return problem(
              Status.BAD_REQUEST,
              "malformed-json",
              "Malformed JSON",
              "The body is not valid JSON: " + cause.getOriginalMessage(),
              null)
          .build();
    }
    String field = pathOf(mapping.getPath());
    return validation(
        "The request has invalid fields.",
        List.of(new Problem.FieldError(field.isEmpty() ? "body" : field, mappingMessage(mapping))));
  }

  /** Registered for its own type so that it wins over the framework's built-in mapper. */
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e) {
    return malformedJson(e);
  }

  @ServerExceptionMapper
  public Response httpError(WebApplicationException e) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return malformedJson(json);
    }
    int code = e.getResponse().getStatus();
    Response.StatusType status = Response.Status.fromStatusCode(code);
    String title = status != null ? status.getReasonPhrase() : "HTTP " + code;
    String slug = title.toLowerCase().replace(' ', '-');
    return problem(status != null ? status : Status.BAD_REQUEST, slug, title, e.getMessage(), null)
        .build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    Throwable failure = unwrap(e);
    if (failure != e) {
      if (failure instanceof ApiException api) {
        return apiError(api);
      }
      if (failure instanceof ConstraintViolationException violation) {
        return invalidFields(violation);
      }
      if (failure instanceof WebApplicationException web) {
        return httpError(web);
      }
    }
    if (DatabaseFailures.isUnavailable(failure)) {
      LOG.warnf("database unavailable: %s", failure.toString());
      return problem(
              Status.SERVICE_UNAVAILABLE,
              "unavailable",
              "Service Unavailable",
              "The message store is unreachable; nothing was stored. Retry later.",
              null)
          .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
          .build();
    }
    String incident = UUID.randomUUID().toString();
    LOG.errorf(failure, "unexpected error, incident %s", incident);
    return problem(
            Status.INTERNAL_SERVER_ERROR,
            "internal",
            "Internal Server Error",
            "Unexpected error; quote incident " + incident + " when reporting it.",
            null)
        .build();
  }

  private static Response.ResponseBuilder problem(
      Response.StatusType status,
      String type,
      String title,
      String detail,
      List<Problem.FieldError> errors) {
    return Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .entity(new Problem(TYPE_PREFIX + type, title, status.getStatusCode(), detail, errors));
  }

  private static Response validation(String detail, List<Problem.FieldError> errors) {
    return problem(Status.BAD_REQUEST, "validation", "Invalid request", detail, errors).build();
  }

  private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (true) {
      if (t instanceof CompositeException composite && !composite.getCauses().isEmpty()) {
        t = composite.getCauses().get(0);
      } else if ((t instanceof java.util.concurrent.CompletionException
              || t instanceof java.util.concurrent.ExecutionException)
          && t.getCause() != null) {
        t = t.getCause();
      } else {
        return t;
      }
    }
  }

  /** {@code route[0].to} from a Bean Validation path, without the method and parameter nodes. */
  static String fieldOf(ConstraintViolation<?> violation) {
    StringBuilder field = new StringBuilder();
    for (Path.Node node : violation.getPropertyPath()) {
      if (node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.PARAMETER) {
        continue;
      }
      if (node.isInIterable()) {
        field.append('[').append(node.getIndex() != null ? node.getIndex() : node.getKey());
        field.append(']');
      }
      String name = node.getName();
      if (name != null && !name.startsWith("<")) {
        if (!field.isEmpty()) {
          field.append('.');
        }
        field.append(name);
      }
    }
    return field.isEmpty() ? "body" : field.toString();
  }

  private static String pathOf(List<JsonMappingException.Reference> path) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        if (!field.isEmpty()) {
          field.append('.');
        }
        field.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        field.append('[').append(ref.getIndex()).append(']');
      }
    }
    return field.toString();
  }

  private static String mappingMessage(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException) {
      return "unknown field";
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException && t.getMessage() != null) {
        return t.getMessage();
      }
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return "must be " + describe(mismatch.getTargetType());
    }
    return "has an invalid value";
  }

  private static String describe(Class<?> type) {
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    return "an object";
  }
}
