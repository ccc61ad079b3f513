package io.cascade.core;

import io.cascade.message.AttemptStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** A message and all its attempts, read under the message row's lock. */
public record Snapshot(MessageState message, List<AttemptState> attempts) {

  public Snapshot {
    attempts = List.copyOf(attempts);
  }

  /** The snapshot as it is once {@code transition} is written. */
  public Snapshot after(Transition transition) {
    List<AttemptState> next = new ArrayList<>(attempts);
    for (AttemptState changed : transition.attempts()) {
      next.removeIf(a -> a.id().equals(changed.id()));
      next.add(changed);
    }
    return new Snapshot(transition.message() == null ? message : transition.message(), next);
  }

  Optional<AttemptState> attempt(UUID id) {
    return attempts.stream().filter(a -> a.id().equals(id)).findFirst();
  }

  /** Route steps a provider rejected for good: they are never walked again. */
  Set<Integer> rejectedSteps() {
    return attempts.stream()
        .filter(a -> a.status() == AttemptStatus.REJECTED)
        .map(AttemptState::step)
        .collect(Collectors.toCollection(HashSet::new));
  }
}
