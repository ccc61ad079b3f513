package io.cascade.api;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Locale;
import java.util.Optional;

/**
 * The value holds no C0 control character (U+0000 to U+001F) and no DEL, but tab, and line feed and
 * carriage return where {@link #lineBreaks} allows them. NUL cannot be stored in PostgreSQL text,
 * and a line break in a value that ends up in a protocol header (an email subject, a URL) would
 * start a header of the sender's choosing.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = PlainText.Validator.class)
public @interface PlainText {

  /** Whether line feed and carriage return are allowed (a message text, not a header value). */
  boolean lineBreaks() default false;

  String message() default "must not contain control characters";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Checks the value and names the first refused character in the error. */
  class Validator implements ConstraintValidator<PlainText, String> {
    private boolean lineBreaks;

    @Override
    public void initialize(PlainText annotation) {
      lineBreaks = annotation.lineBreaks();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      Optional<String> problem = problem(value, lineBreaks);
      if (problem.isEmpty()) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      context.buildConstraintViolationWithTemplate(problem.get()).addConstraintViolation();
      return false;
    }

    /** What is wrong with {@code value}, if anything: the first refused character and where. */
    public static Optional<String> problem(String value, boolean lineBreaks) {
      if (value == null) {
        return Optional.empty();
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        boolean lineBreak = c == '\n' || c == '\r';
        if (lineBreak && !lineBreaks) {
          return Optional.of("must be a single line (line break at position " + (i + 1) + ")");
        }
        if ((c < 0x20 || c == 0x7F) && c != '\t' && !lineBreak) {
          return Optional.of(
              String.format(
                  Locale.ROOT,
                  "must not contain control character U+%04X (at position %d)",
                  (int) c,
                  i + 1));
        }
      }
      return Optional.empty();
    }
  }
}
