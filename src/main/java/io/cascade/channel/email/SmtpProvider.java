package io.cascade.channel.email;

import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.SendOutcome;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.mail.SMTPException;

/**
 * Sends email steps to an SMTP server through the Quarkus reactive mailer (server, TLS and
 * credentials under {@code quarkus.mailer.*}, so there is one SMTP server per deployment). The
 * server's reply decides the outcome: a 5xx reply refuses the recipient or the message for good, so
 * the step is rejected and the cascade moves on without retrying; a 4xx reply or a connection
 * failure is transient and retried. SMTP has no delivery receipts, so an accepted email ends as
 * {@code sent}.
 */
public class SmtpProvider implements ChannelProvider {

  /** The subject of an email step that names none. */
  static final String DEFAULT_SUBJECT = "Message";

  private final String name;
  private final ReactiveMailer mailer;

  SmtpProvider(String name, ReactiveMailer mailer) {
    this.name = name;
    this.mailer = mailer;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Uni<SendOutcome> send(Outbound message) {
    String subject = message.subject() == null ? DEFAULT_SUBJECT : message.subject();
    return mailer
        .send(Mail.withText(message.to(), subject, message.text()))
        .map(sent -> (SendOutcome) SendOutcome.Sent.withId(null))
        .onFailure()
        .recoverWithUni(SmtpProvider::outcomeOf);
  }

  private static Uni<SendOutcome> outcomeOf(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SMTPException smtp && smtp.isPermanent()) {
        return Uni.createFrom()
            .item(new SendOutcome.Rejected("smtp " + smtp.getReplyMessage().strip()));
      }
    }
    String why = failure.getMessage() != null ? failure.getMessage() : failure.toString();
    return Uni.createFrom().failure(new ProviderException("smtp: " + why));
  }
}
