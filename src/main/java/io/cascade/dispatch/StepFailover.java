package io.cascade.dispatch;

import io.cascade.channel.FailoverReason;
import io.cascade.message.MessageStatus;
import io.cascade.message.RouteConverter;
import io.cascade.message.RouteStep;
import io.cascade.observability.CascadeMetrics;
import io.cascade.webhook.WebhookEvents;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Ends a route step that waited for a receipt in vain (a negative receipt, or its deadline passed)
 * and starts the next step that was not rejected, in the caller's transaction: the awaited attempt
 * notes why, the message goes back to {@code sending} with an outbox lease ({@link #committed}
 * publishes it after the commit, the relay if that is not confirmed in time), and the {@code
 * message.failover} event is recorded. With no step left, or after the message's validity, the
 * attempt still notes why but only the deadline is cleared: the message stays {@code sent}, since a
 * provider took it. The caller holds the message row's lock, taken before any lock on the attempt
 * (the receipt inbox and the step timer lock in that order, so they never deadlock).
 */
@ApplicationScoped
public class StepFailover {

  private static final Logger LOG = Logger.getLogger(StepFailover.class);

  /**
   * A step left for the next one; handed to {@link #committed} once the caller's transaction
   * committed. {@code publishDueAt} is the message's outbox deadline, cleared when the broker
   * confirms the publication.
   */
  public record Moved(
      UUID messageId, String from, String to, String reason, Instant publishDueAt) {}

  private static final String MESSAGE =
      "SELECT route, current_step, step_attempt_id, valid_until <= now() AS expired"
          + " FROM message WHERE id = $1";
  private static final String REJECTED_STEPS =
      "SELECT DISTINCT step FROM attempt WHERE message_id = $1 AND status = 'REJECTED'";
  private static final String CLEAR_DEADLINE =
      "UPDATE message SET step_due_at = NULL, step_attempt_id = NULL, step_wait_for = NULL,"
          + " updated_at = now(), version = version + 1 WHERE id = $1";
  // The reason goes first, like every failover error; a receipt's error code stays after it.
  private static final String NOTE_ATTEMPT =
      "UPDATE attempt SET reason = $2, error = CASE WHEN $3::text IS NULL THEN error"
          + " WHEN error IS NULL THEN $3 ELSE $3 || '; ' || error END WHERE id = $1";
  // Published right after the commit (committed); the relay takes over if that has not been
  // confirmed when the lease runs out, as for a new message.
  private static final String NEXT_STEP =
      "UPDATE message SET current_step = $2, status = 'SENDING',"
          + " publish_due_at = now() + make_interval(secs => $3),"
          + " step_due_at = NULL, step_attempt_id = NULL, step_wait_for = NULL,"
          + " updated_at = now(), version = version + 1 WHERE id = $1 RETURNING publish_due_at";

  private static final RouteConverter ROUTES = new RouteConverter();

  private final WebhookEvents events;
  private final Outbox outbox;
  private final OutboxConfig outboxConfig;
  private final CascadeMetrics metrics;

  StepFailover(
      WebhookEvents events, Outbox outbox, OutboxConfig outboxConfig, CascadeMetrics metrics) {
    this.events = events;
    this.outbox = outbox;
    this.outboxConfig = outboxConfig;
    this.metrics = metrics;
  }

  /**
   * After the transaction that moved them committed: counts the failovers and publishes the
   * messages at once, so the next step does not wait for the outbox relay's next round.
   */
  public void committed(List<Moved> moved) {
    for (Moved step : moved) {
      metrics.failover(step.from(), step.to(), step.reason());
      outbox.publishCommitted(step.messageId(), step.publishDueAt());
    }
  }

  /**
   * Ends the current step of the (locked) message for {@code reason} and starts the next one, if
   * any. The awaited attempt records the reason; {@code note} is prepended to its error, or null
   * when a receipt already explained it.
   */
  public Uni<Optional<Moved>> moveOn(
      SqlConnection connection, UUID messageId, FailoverReason reason, String note) {
    return connection
        .preparedQuery(MESSAGE)
        .execute(Tuple.of(messageId))
        .call(rows -> noteAttempt(connection, rows.iterator().next(), reason, note))
        .flatMap(
            rows -> {
              Row message = rows.iterator().next();
              if (message.getBoolean("expired")) {
                return clear(connection, messageId);
              }
              return connection
                  .preparedQuery(REJECTED_STEPS)
                  .execute(Tuple.of(messageId))
                  .flatMap(
                      rejectedRows -> {
                        Set<Integer> rejected = new HashSet<>();
                        rejectedRows.forEach(row -> rejected.add(row.getInteger("step")));
                        List<RouteStep> route =
                            ROUTES.convertToEntityAttribute(message.getString("route"));
                        int current = message.getInteger("current_step");
                        Optional<Integer> next =
                            IntStream.range(current + 1, route.size())
                                .filter(step -> !rejected.contains(step))
                                .boxed()
                                .findFirst();
                        if (next.isEmpty()) {
                          return clear(connection, messageId);
                        }
                        return start(
                            connection,
                            messageId,
                            next.get(),
                            route.get(current).channel().id(),
                            route.get(next.get()).channel().id(),
                            reason);
                      });
            });
  }

  private static Uni<Void> noteAttempt(
      SqlConnection connection, Row message, FailoverReason reason, String note) {
    UUID attemptId = message.getUUID("step_attempt_id");
    if (attemptId == null) {
      return Uni.createFrom().voidItem();
    }
    return connection
        .preparedQuery(NOTE_ATTEMPT)
        .execute(Tuple.of(attemptId, reason.name(), note))
        .replaceWithVoid();
  }

  private Uni<Optional<Moved>> start(
      SqlConnection connection,
      UUID messageId,
      int next,
      String from,
      String to,
      FailoverReason reason) {
    double lease = outboxConfig.publishLease().toMillis() / 1000.0;
    return connection
        .preparedQuery(NEXT_STEP)
        .execute(Tuple.of(messageId, next, lease))
        .map(
            rows ->
                new Moved(
                    messageId,
                    from,
                    to,
                    reason.id(),
                    rows.iterator().next().getOffsetDateTime("publish_due_at").toInstant()))
        .call(
            moved ->
                events.record(
                    connection,
                    messageId,
                    WebhookEvents.Type.FAILOVER,
                    new JsonObject()
                        .put("status", MessageStatus.SENDING.id())
                        .put("from", from)
                        .put("to", to)
                        .put("reason", reason.id())))
        .invoke(
            () ->
                LOG.debugf(
                    "message %s: %s step ended (%s), failing over to %s",
                    messageId, from, reason.id(), to))
        .map(Optional::of);
  }

  private static Uni<Optional<Moved>> clear(SqlConnection connection, UUID messageId) {
    return connection
        .preparedQuery(CLEAR_DEADLINE)
        .execute(Tuple.of(messageId))
        .replaceWith(Optional.empty());
  }
}
