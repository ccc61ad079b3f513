package io.cascade.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.channel.Channel;
import io.cascade.channel.FailoverReason;
import io.cascade.channel.SendOutcome;
import io.cascade.message.AttemptStatus;
import io.cascade.message.MessageStatus;
import io.cascade.message.Priority;
import io.cascade.message.RouteStep;
import io.cascade.message.WaitFor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of events (claims by live and dead dispatchers, provider outcomes, stale
 * outcomes, receipts, deadlines, expiry sweeps, time passing) never break the cascade's promises.
 * Not a {@code @QuarkusTest}: the core is pure, so thousands of histories run in about a second.
 */
class CascadeInvariantsTest {

  private static final Set<MessageStatus> TERMINAL =
      EnumSet.of(MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.EXPIRED);
  private static final Map<MessageStatus, Set<MessageStatus>> FORWARD =
      Map.of(
          MessageStatus.ACCEPTED, EnumSet.of(MessageStatus.SENDING, MessageStatus.EXPIRED),
          MessageStatus.SENDING,
              EnumSet.of(
                  MessageStatus.SENT,
                  MessageStatus.DELIVERED,
                  MessageStatus.WAITING,
                  MessageStatus.FAILED,
                  MessageStatus.EXPIRED),
          MessageStatus.WAITING,
              EnumSet.of(MessageStatus.SENDING, MessageStatus.FAILED, MessageStatus.EXPIRED),
          // Only when the step's receipt did not come: the next step starts.
          MessageStatus.SENT, EnumSet.of(MessageStatus.DELIVERED, MessageStatus.SENDING));
  private static final Map<MessageStatus, EventType> ANNOUNCED =
      Map.of(
          MessageStatus.SENT, EventType.SENT,
          MessageStatus.DELIVERED, EventType.DELIVERED,
          MessageStatus.FAILED, EventType.FAILED,
          MessageStatus.EXPIRED, EventType.EXPIRED);
  private static final AttemptStatus[] RECEIPTS = {
    AttemptStatus.SENT,
    AttemptStatus.DELIVERED,
    AttemptStatus.READ,
    AttemptStatus.UNDELIVERED,
    AttemptStatus.REJECTED,
    AttemptStatus.EXPIRED,
    AttemptStatus.UNKNOWN
  };

  private final Random random = new Random(20261201);
  private final CascadeCore core =
      new CascadeCore(
          new CascadeRules(
              Duration.ofSeconds(60),
              Duration.ofSeconds(6),
              Duration.ofSeconds(10),
              Duration.ofSeconds(2),
              Duration.ofSeconds(30),
              random::nextDouble));

  @Test
  void noHistoryOfEventsBreaksTheRules() {
    int transitions = 0;
    for (int history = 0; history < 3000; history++) {
      transitions += runOneHistory();
    }
    assertThat(transitions).isGreaterThan(50_000);
  }

  private int runOneHistory() {
    held = false;
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    Snapshot s =
        new Snapshot(
            core.accept(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "code 1",
                route(),
                20 + random.nextInt(200),
                Priority.NORMAL,
                now),
            List.of());
    UUID[] dispatchers = {UUID.randomUUID(), UUID.randomUUID()};
    int count = 0;
    for (int event = 0; event < 40; event++) {
      now = now.plusMillis(random.nextInt(8000));
      Transition t = next(s, now, dispatchers);
      try {
        check(s, t, now);
      } catch (AssertionError e) {
        System.err.println("BEFORE " + s + "\nTRANSITION " + t);
        throw e;
      }
      s = CascadeCoreTest.apply(s, t);
      count++;
    }
    return count;
  }

  /** Whether the last claim was made while the tenant was disabled. */
  private boolean held;

  private Transition next(Snapshot s, Instant now, UUID[] dispatchers) {
    List<AttemptState> sending =
        s.attempts().stream().filter(a -> a.status() == AttemptStatus.SENDING).toList();
    List<AttemptState> receiptable =
        s.attempts().stream()
            .filter(a -> a.providerMessageId() != null && a.status() != AttemptStatus.SENDING)
            .toList();
    switch (random.nextInt(6)) {
      case 0, 1 -> {
        UUID dispatcher = dispatchers[random.nextInt(2)];
        // The owner's heartbeat, as the store joins it: recent, stale, or unknown.
        Instant seen =
            switch (random.nextInt(3)) {
              case 0 -> now.minusSeconds(1);
              case 1 -> now.minusSeconds(60);
              default -> null;
            };
        // Now and then the tenant is disabled: the message is held until a claim that is not.
        held = random.nextInt(8) == 0;
        return core.claim(
            withOwnerSeen(s, seen),
            new CascadeCore.Claim(now, dispatcher, c -> c.id() + "-" + random.nextInt(2), held));
      }
      case 2 -> {
        List<AttemptState> candidates = new ArrayList<>(sending);
        if (!s.attempts().isEmpty() && random.nextInt(4) == 0) {
          candidates.add(s.attempts().get(random.nextInt(s.attempts().size()))); // stale
        }
        if (candidates.isEmpty()) {
          return core.deadline(s, now);
        }
        AttemptState attempt = candidates.get(random.nextInt(candidates.size()));
        return core.outcome(
            s,
            new CascadeCore.Outcome(now, attempt.id(), outcome(), Set.of(), random.nextBoolean()));
      }
      case 3 -> {
        if (receiptable.isEmpty()) {
          return core.expire(s, now);
        }
        AttemptState attempt = receiptable.get(random.nextInt(receiptable.size()));
        AttemptStatus status = RECEIPTS[random.nextInt(RECEIPTS.length)];
        return core.receipt(s, new CascadeCore.Receipt(now, attempt.id(), status, "e1"));
      }
      case 4 -> {
        return core.deadline(s, now);
      }
      default -> {
        return core.expire(s, now);
      }
    }
  }

  private void check(Snapshot before, Transition t, Instant now) {
    MessageState was = before.message();
    MessageState is = t.message() == null ? was : t.message();
    Snapshot after = CascadeCoreTest.apply(before, t);
    Set<EventType> events =
        t.events().stream().map(Transition.Event::type).collect(Collectors.toSet());

    if (TERMINAL.contains(was.status())) {
      assertThat(is.status()).as("a final status is never left").isEqualTo(was.status());
    }
    if (is.status() != was.status()) {
      assertThat(FORWARD.get(was.status()))
          .as("%s -> %s moves forward", was.status(), is.status())
          .contains(is.status());
      if (ANNOUNCED.containsKey(is.status())) {
        assertThat(events).as("%s has its event", is.status()).contains(ANNOUNCED.get(is.status()));
      }
    }
    if (is.currentStep() != was.currentStep() && is.status() == MessageStatus.SENDING) {
      assertThat(events).as("a failover has its event").contains(EventType.FAILOVER);
      assertThat(is.currentStep()).isGreaterThan(was.currentStep());
    }
    assertThat(is.currentStep()).isBetween(0, is.route().size() - 1);

    Set<UUID> known = before.attempts().stream().map(AttemptState::id).collect(Collectors.toSet());
    Set<Integer> rejectedBefore = before.rejectedSteps();
    for (AttemptState attempt : t.attempts()) {
      if (!known.contains(attempt.id())) {
        assertThat(attempt.startedAt())
            .as("no step starts after validUntil")
            .isBefore(is.validUntil());
        assertThat(rejectedBefore)
            .as("a rejected step is never walked again")
            .doesNotContain(attempt.step());
        assertThat(attempt.step()).isEqualTo(is.currentStep());
      }
    }
    long live = after.attempts().stream().filter(a -> a.status() == AttemptStatus.SENDING).count();
    assertThat(live).as("at most one live claim").isLessThanOrEqualTo(1);
    if (live == 1) {
      assertThat(is.status()).isEqualTo(MessageStatus.SENDING);
      assertThat(is.claimedUntil()).isAfter(now.minusSeconds(61));
    }
    if (held) {
      assertThat(t.send()).as("a held message starts no attempt").isNull();
    } else if (is.status() == MessageStatus.WAITING || is.status() == MessageStatus.ACCEPTED) {
      assertThat(is.publishDueAt()).as("a waiting message is due for publication").isNotNull();
      assertThat(is.publishDueAt()).isBeforeOrEqualTo(is.validUntil());
    }
    if (is.stepDueAt() != null) {
      assertThat(is.status()).isEqualTo(MessageStatus.SENT);
      assertThat(is.stepDueAt()).isBeforeOrEqualTo(is.validUntil());
    }
  }

  private SendOutcome outcome() {
    return switch (random.nextInt(5)) {
      case 0 -> new SendOutcome.Sent(List.of("p" + random.nextInt(1000)));
      case 1 -> new SendOutcome.Delivered("d" + random.nextInt(1000));
      case 2 -> new SendOutcome.Rejected("invalid number");
      case 3 -> new SendOutcome.GaveUp(FailoverReason.TIMEOUT, "timed out");
      default -> new SendOutcome.GaveUp(FailoverReason.CIRCUIT_OPEN, "circuit open");
    };
  }

  private List<RouteStep> route() {
    Channel[] channels = Channel.values();
    WaitFor[] waits = WaitFor.values();
    List<RouteStep> route = new ArrayList<>();
    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
      route.add(
          new RouteStep(
              channels[random.nextInt(channels.length)],
              "to",
              null,
              waits[random.nextInt(waits.length)],
              5 + random.nextInt(30)));
    }
    return route;
  }

  private static Snapshot withOwnerSeen(Snapshot s, Instant seen) {
    MessageState m = s.message();
    return new Snapshot(
        new MessageState(
            m.id(),
            m.tenantId(),
            m.status(),
            m.text(),
            m.route(),
            m.currentStep(),
            m.routePass(),
            m.createdAt(),
            m.updatedAt(),
            m.validUntil(),
            m.publishDueAt(),
            m.claimedUntil(),
            m.claimedBy(),
            m.claimedBy() == null ? null : seen,
            m.stepDueAt(),
            m.stepAttemptId(),
            m.stepWaitFor(),
            m.priority()),
        s.attempts());
  }
}
