package io.cascade.message;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The step's {@code to} must be a recipient its channel can address (reported on {@code to}). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ValidRecipient.Validator.class)
public @interface ValidRecipient {
  String message() default "is not a valid recipient for this channel";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Checks {@code to} against the channel's rule and names the rule in the error. */
  class Validator implements ConstraintValidator<ValidRecipient, RouteStep> {
    @Override
    public boolean isValid(RouteStep step, ConstraintValidatorContext context) {
      if (step == null || step.channel() == null || step.to() == null || step.to().isBlank()) {
        return true; // @NotNull / @NotBlank report these
      }
      if (step.channel().accepts(step.to())) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      context
          .buildConstraintViolationWithTemplate(step.channel().recipientRule())
          .addPropertyNode("to")
          .addConstraintViolation();
      return false;
    }
  }
}
