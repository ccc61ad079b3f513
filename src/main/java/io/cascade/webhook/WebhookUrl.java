package io.cascade.webhook;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * An absolute {@code http} or {@code https} URL with a host, at most 2048 characters; null passes.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = WebhookUrl.Validator.class)
public @interface WebhookUrl {

  /** Longest URL stored (the column's size). */
  int MAX_LENGTH = 2048;

  String message() default "must be an absolute http or https URL of at most 2048 characters";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Parses the URL; the web client needs a scheme it speaks and a host to connect to. */
  class Validator implements ConstraintValidator<WebhookUrl, String> {
    @Override
    public boolean isValid(String url, ConstraintValidatorContext context) {
      if (url == null) {
        return true;
      }
      if (url.length() > MAX_LENGTH) {
        return false;
      }
      try {
        URI uri = new URI(url);
        return uri.getScheme() != null
            && (uri.getScheme().equalsIgnoreCase("http")
                || uri.getScheme().equalsIgnoreCase("https"))
            && uri.getHost() != null;
      } catch (URISyntaxException e) {
        return false;
      }
    }
  }
}
