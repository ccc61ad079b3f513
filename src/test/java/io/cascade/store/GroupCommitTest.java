package io.cascade.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * How concurrent requests are grouped into transactions. Not a {@code @QuarkusTest}: the commit is
 * a function here; the store's own paths run it against PostgreSQL in the dispatch tests.
 */
class GroupCommitTest {

  private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
  private final AtomicReference<UniEmitter<? super List<String>>> held = new AtomicReference<>();

  /** One commit at a time; request 0's commit is held until {@link #release}. */
  private GroupCommit<Integer, String> commits(Function<List<Integer>, Uni<List<String>>> then) {
    return started(new GroupCommit<>(holdingZero(then), 64, 1));
  }

  private Function<List<Integer>, Uni<List<String>>> holdingZero(
      Function<List<Integer>, Uni<List<String>>> then) {
    return batch -> {
      batches.add(batch);
      return batch.equals(List.of(0))
          ? Uni.createFrom().<List<String>>emitter(held::set)
          : then.apply(batch);
    };
  }

  private static GroupCommit<Integer, String> started(GroupCommit<Integer, String> commits) {
    commits.submit(0).subscribe().with(ignored -> {});
    return commits;
  }

  private void release() {
    held.get().complete(List.of("ok 0"));
  }

  private static Uni<List<String>> ok(List<Integer> batch) {
    return Uni.createFrom().item(batch.stream().map(i -> "ok " + i).toList());
  }

  private static List<Uni<String>> submitAll(GroupCommit<Integer, String> commits, int... ids) {
    List<Uni<String>> answers = new ArrayList<>();
    for (int id : ids) {
      Uni<String> answer =
          commits
              .submit(id)
              .onFailure()
              .recoverWithItem(Throwable::getMessage)
              .memoize()
              .indefinitely();
      answer.subscribe().with(ignored -> {});
      answers.add(answer);
    }
    return answers;
  }

  private static String await(Uni<String> answer) {
    return answer.await().atMost(Duration.ofSeconds(2));
  }

  @Test
  void aLoneRequestIsCommittedAtOnceAndTheOnesArrivingMeanwhileShareTheNextCommit() {
    GroupCommit<Integer, String> commits = commits(GroupCommitTest::ok);
    assertThat(batches).containsExactly(List.of(0)); // nothing waited for company

    List<Uni<String>> answers = submitAll(commits, 1, 2, 3, 4, 5);
    assertThat(batches).hasSize(1); // one commit at a time: these wait
    release();

    assertThat(answers.stream().map(GroupCommitTest::await))
        .containsExactly("ok 1", "ok 2", "ok 3", "ok 4", "ok 5");
    assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3, 4, 5));
  }

  @Test
  void aFailedBatchIsRunAgainOneRequestAtATimeSoOnlyTheBadOneFails() {
    GroupCommit<Integer, String> commits =
        commits(
            batch ->
                batch.contains(13)
                    ? Uni.createFrom().failure(new IllegalArgumentException("13 is bad"))
                    : ok(batch));
    List<Uni<String>> answers = submitAll(commits, 11, 12, 13, 14);
    release();

    assertThat(answers.stream().map(GroupCommitTest::await))
        .containsExactly("ok 11", "ok 12", "13 is bad", "ok 14");
    assertThat(batches)
        .containsExactly(
            List.of(0),
            List.of(11, 12, 13, 14),
            List.of(11),
            List.of(12),
            List.of(13),
            List.of(14));
  }

  @Test
  void anUnreachableDatabaseFailsTheBatchWithoutRunningItAgainOneByOne() {
    GroupCommit<Integer, String> commits =
        commits(batch -> Uni.createFrom().failure(new SocketException("Connection refused")));
    List<Uni<String>> answers = submitAll(commits, 1, 2, 3);
    release();

    assertThat(answers.stream().map(GroupCommitTest::await)).containsOnly("Connection refused");
    assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
  }

  @Test
  void aRequestThatCannotJoinABatchWithinItsLimitFailsAndIsNeverRun() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      GroupCommit<Integer, String> commits =
          started(
              new GroupCommit<>(
                  holdingZero(GroupCommitTest::ok), 64, 1, vertx, Duration.ofMillis(200)));
      List<Uni<String>> late = submitAll(commits, 1, 2);
      Thread.sleep(400);
      List<Uni<String>> inTime = submitAll(commits, 3);
      release();

      assertThat(late.stream().map(GroupCommitTest::await))
          .containsOnly("waited 200 ms for a transaction, not run");
      assertThat(await(inTime.get(0))).isEqualTo("ok 3");
      assertThat(batches).containsExactly(List.of(0), List.of(3));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
