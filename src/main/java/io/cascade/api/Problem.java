package io.cascade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem detail, the body of every error response. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem detail (application/problem+json)")
public record Problem(
    @Schema(description = "URI reference naming the kind of problem") String type,
    String title,
    int status,
    String detail,
    @Schema(description = "One entry per invalid field, for validation problems")
        List<FieldError> errors) {

  /** The media type of problem responses. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** One invalid field: its JSON path (e.g. {@code route[0].to}) and what is wrong with it. */
  public record FieldError(String field, String message) {}
}
