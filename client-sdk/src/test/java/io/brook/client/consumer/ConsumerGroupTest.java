package io.brook.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.errors.InvalidGroupIdException;
import io.brook.client.common.errors.NoOffsetForPartitionException;
import io.brook.client.common.serialization.StringDeserializer;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.OffsetCommitRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer's group membership against an in-process fake coordinator ({@link FakeGroupBroker}):
 * join/sync, eager and cooperative rebalances, commits, fencing, leaving.
 */
class ConsumerGroupTest {
  private static final long WAIT_MS = 20_000;
  private FakeGroupBroker broker;
  private final List<BrookConsumer<String, String>> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = new FakeGroupBroker();
  }

  @AfterEach
  void stop() {
    for (BrookConsumer<String, String> c : open) {
      c.close(Duration.ofSeconds(1));
    }
    broker.close();
  }

  private BrookConsumer<String, String> consumer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("fetch.max.wait.ms", "20");
    p.put("auto.offset.reset", "earliest");
    p.put("group.id", "g");
    p.put("partition.assignment.strategy", TestAssignors.Eager.class.getName());
    p.put("heartbeat.interval.ms", "20");
    p.put("session.timeout.ms", "10000");
    p.put("retry.backoff.ms", "10");
    p.put("enable.auto.commit", "false");
    p.putAll(extra);
    BrookConsumer<String, String> c =
        new BrookConsumer<>(new ConsumerConfig(p), null, null, broker.channels(), Time.SYSTEM);
    open.add(c);
    return c;
  }

  /** Records the listener's calls as "revoked:[...]", "assigned:[...]", "lost:[...]". */
  static final class Events implements ConsumerRebalanceListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      events.add("revoked:" + partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      events.add("assigned:" + partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      events.add("lost:" + partitions);
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Polls every consumer in turn (50 ms each) until the condition holds; returns the records. */
  @SafeVarargs
  private List<ConsumerRecord<String, String>> pollUntil(
      String what, BooleanSupplier condition, BrookConsumer<String, String>... consumers) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      for (BrookConsumer<String, String> c : consumers) {
        c.poll(Duration.ofMillis(50)).forEach(got::add);
      }
    }
    return got;
  }

  private static Set<TopicPartition> tps(String topic, int... ps) {
    Set<TopicPartition> s = new HashSet<>();
    for (int p : ps) {
      s.add(new TopicPartition(topic, p));
    }
    return s;
  }

  // ------------------------------------------------------------------ join and assignment

  @Test
  void joinsWithTheMemberIdTheCoordinatorRequiresThenConsumesItsPartitions() {
    broker.createTopic("t", 2);
    broker.produce("t", 0, 3);
    broker.produce("t", 1, 2);
    BrookConsumer<String, String> c = consumer(Map.of());
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    assertEquals(Set.of("t"), c.subscription());
    List<ConsumerRecord<String, String>> got = drain(c, 5);
    assertEquals(5, got.size());
    assertTrue(broker.joins.size() >= 2, "joins: " + broker.joins);
    assertEquals("", broker.joins.get(0).getMemberId(), "first join has no member id");
    assertFalse(broker.joins.get(1).getMemberId().isEmpty(), "second join uses the given id");
    assertEquals(List.of("assigned:[t-0, t-1]"), l.events);
    ConsumerGroupMetadata md = c.groupMetadata();
    assertEquals(1, md.generationId());
    assertEquals(broker.joins.get(1).getMemberId(), md.memberId());
    assertEquals(tps("t", 0, 1), c.assignment());
  }

  @Test
  void eagerRebalanceRevokesEverythingThenSplitsThePartitions() {
    broker.createTopic("t", 4);
    BrookConsumer<String, String> a = consumer(Map.of());
    BrookConsumer<String, String> b = consumer(Map.of());
    Events la = new Events();
    Events lb = new Events();
    a.subscribe(List.of("t"), la);
    pollUntil("a owns all", () -> a.assignment().size() == 4, a);
    b.subscribe(List.of("t"), lb);
    pollUntil(
        "two members with two partitions each",
        () -> {
          Set<TopicPartition> both = new HashSet<>(a.assignment());
          both.retainAll(b.assignment());
          assertTrue(both.isEmpty(), "a partition owned by both: " + both);
          return a.assignment().size() == 2
              && b.assignment().size() == 2
              && broker.state() == FakeGroupBroker.State.STABLE;
        },
        a,
        b);
    Set<TopicPartition> union = new HashSet<>(a.assignment());
    union.addAll(b.assignment());
    assertEquals(tps("t", 0, 1, 2, 3), union);
    assertEquals("assigned:[t-0, t-1, t-2, t-3]", la.events.get(0));
    assertEquals("revoked:[t-0, t-1, t-2, t-3]", la.events.get(1), "eager revokes all first");
    assertEquals("assigned:" + sorted(a.assignment()), la.events.get(la.events.size() - 1));
    assertEquals(List.of("assigned:" + sorted(b.assignment())), lb.events);
  }

  private static List<TopicPartition> sorted(Set<TopicPartition> s) {
    List<TopicPartition> l = new ArrayList<>(s);
    l.sort((x, y) -> x.toString().compareTo(y.toString()));
    return l;
  }

  @Test
  void cooperativeRebalanceKeepsTheUnaffectedPartitions() {
    broker.createTopic("t", 4);
    Map<String, Object> coop =
        Map.of("partition.assignment.strategy", TestAssignors.Cooperative.class.getName());
    BrookConsumer<String, String> a = consumer(coop);
    BrookConsumer<String, String> b = consumer(coop);
    Events la = new Events();
    Events lb = new Events();
    a.subscribe(List.of("t"), la);
    pollUntil("a owns all", () -> a.assignment().size() == 4, a);
    b.subscribe(List.of("t"), lb);
    List<Set<TopicPartition>> aHistory = new ArrayList<>();
    pollUntil(
        "two members with two partitions each",
        () -> {
          Set<TopicPartition> both = new HashSet<>(a.assignment());
          both.retainAll(b.assignment());
          assertTrue(both.isEmpty(), "a partition owned by both: " + both);
          aHistory.add(a.assignment());
          return a.assignment().size() == 2
              && b.assignment().size() == 2
              && broker.state() == FakeGroupBroker.State.STABLE;
        },
        a,
        b);
    for (Set<TopicPartition> s : aHistory) {
      assertTrue(s.size() >= 2, "a kept at least its share throughout: " + aHistory);
      assertTrue(s.containsAll(a.assignment()), "a's final partitions were never revoked");
    }
    assertEquals("assigned:[t-0, t-1, t-2, t-3]", la.events.get(0));
    List<String> revokes = la.events.stream().filter(e -> e.startsWith("revoked")).toList();
    Set<TopicPartition> moved = new HashSet<>(tps("t", 0, 1, 2, 3));
    moved.removeAll(a.assignment());
    assertEquals(List.of("revoked:" + sorted(moved)), revokes, "only what moved was revoked");
    assertEquals(b.assignment(), moved);
    assertTrue(lb.events.contains("assigned:" + sorted(b.assignment())), lb.events.toString());
  }

  @Test
  void aMemberRemovedByTheCoordinatorLearnsItFromItsHeartbeatAndRejoins() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    String first = c.groupMetadata().memberId();
    broker.expire(first);
    waitUntil("the heartbeat saw UNKNOWN_MEMBER_ID", () -> c.groupMetadata().generationId() < 0);
    pollUntil("rejoined", () -> l.events.size() == 3, c);
    assertFalse(first.equals(c.groupMetadata().memberId()), "a new member id");
    assertEquals(List.of("assigned:[t-0]", "lost:[t-0]", "assigned:[t-0]"), l.events);
  }

  @Test
  void coordinatorErrorsOnFindAndJoinAreRetried() {
    broker.createTopic("t", 1);
    broker.findCoordinatorErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    broker.findCoordinatorErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    broker.joinErrors.add(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    broker.joinErrors.add(ErrorCode.NOT_COORDINATOR);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    assertTrue(broker.finds.size() >= 4, "2 failed finds, 1 good, 1 after NOT_COORDINATOR");
    assertEquals(1, c.groupMetadata().generationId());
  }

  @Test
  void fatalJoinErrorsAreThrownByPoll() {
    broker.createTopic("t", 1);
    broker.joinErrors.add(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    assertThrows(
        io.brook.client.common.errors.InconsistentGroupProtocolException.class,
        () -> c.poll(Duration.ofSeconds(5)));
  }

  @Test
  void aFencedStaticMemberFailsItsNextPoll() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of("group.instance.id", "i"));
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    broker.heartbeatErrors.add(ErrorCode.FENCED_INSTANCE_ID);
    waitUntil("fenced", () -> c.groupMetadata().generationId() < 0);
    assertThrows(
        io.brook.client.common.errors.FencedInstanceIdException.class,
        () -> c.poll(Duration.ofMillis(50)));
  }

  @Test
  void enforceRebalanceRejoinsWithANewGeneration() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    c.enforceRebalance("test");
    pollUntil("rejoined", () -> l.events.size() == 3, c);
    assertEquals(2, c.groupMetadata().generationId());
    assertEquals(List.of("assigned:[t-0]", "revoked:[t-0]", "assigned:[t-0]"), l.events);
    assertEquals("test", broker.joins.get(broker.joins.size() - 1).getReason());
  }

  @Test
  void aWakeupInterruptsAPollWaitingToJoin() throws Exception {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> a = consumer(Map.of());
    a.subscribe(List.of("t"));
    pollUntil("assigned", () -> a.assignment().size() == 1, a);
    // b's join waits for a to rejoin, which it does not do while nobody polls it
    BrookConsumer<String, String> b = consumer(Map.of());
    b.subscribe(List.of("t"));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                b.poll(Duration.ofSeconds(30));
              } catch (Throwable e) {
                thrown.set(e);
              }
            });
    t.start();
    waitUntil(
        "b's join is waiting", () -> broker.state() == FakeGroupBroker.State.PREPARING_REBALANCE);
    b.wakeup();
    t.join(WAIT_MS);
    assertInstanceOf(WakeupException.class, thrown.get());
  }

  // ------------------------------------------------------------------ offsets

  @Test
  void positionsStartAtTheCommittedOffsetElseAtTheResetPolicy() {
    broker.createTopic("t", 2);
    broker.produce("t", 0, 5);
    broker.produce("t", 1, 2);
    broker.commitDirectly(new TopicPartition("t", 0), 3);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    List<ConsumerRecord<String, String>> got = drain(c, 4);
    Map<Integer, Long> first = new HashMap<>();
    for (ConsumerRecord<String, String> r : got) {
      first.putIfAbsent(r.partition(), r.offset());
    }
    assertEquals(3L, first.get(0), "t-0 from its committed offset");
    assertEquals(0L, first.get(1), "t-1 has none: earliest");
  }

  private List<ConsumerRecord<String, String>> drain(BrookConsumer<String, String> c, int n) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (got.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("got only " + got.size() + " of " + n + " records");
      }
      c.poll(Duration.ofMillis(50)).forEach(got::add);
    }
    return got;
  }

  @Test
  void commitSyncCommitsTheConsumedPositionsWithTheMembersGeneration() {
    broker.createTopic("t", 2);
    broker.produce("t", 0, 3);
    broker.produce("t", 1, 2);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    drain(c, 5);
    c.commitSync();
    TopicPartition t0 = new TopicPartition("t", 0);
    TopicPartition t1 = new TopicPartition("t", 1);
    assertEquals(3, broker.committed(t0));
    assertEquals(2, broker.committed(t1));
    OffsetCommitRequest last = broker.commits.get(broker.commits.size() - 1);
    assertEquals(c.groupMetadata().generationId(), last.getGenerationId());
    assertEquals(c.groupMetadata().memberId(), last.getMemberId());
    Map<TopicPartition, OffsetAndMetadata> committed = c.committed(Set.of(t0, t1));
    assertEquals(3, committed.get(t0).offset());
    assertEquals(2, committed.get(t1).offset());
    c.commitSync(Map.of(t0, new OffsetAndMetadata(1, "meta")));
    assertEquals(
        new OffsetAndMetadata(1, "meta"), c.committed(Set.of(t0)).get(t0), "with metadata");
    assertNull(c.committed(Set.of(new TopicPartition("t", 7))).get(new TopicPartition("t", 7)));
  }

  @Test
  void autoCommitCommitsOnlyWhatPollReturned() {
    broker.createTopic("t", 1);
    broker.produce("t", 0, 10);
    BrookConsumer<String, String> c =
        consumer(
            Map.of(
                "enable.auto.commit", "true",
                "auto.commit.interval.ms", "0",
                "max.poll.records", "2"));
    c.subscribe(List.of("t"));
    TopicPartition t0 = new TopicPartition("t", 0);
    int returned = 0;
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (returned < 6) {
      assertTrue(System.nanoTime() < deadline, "timed out; returned " + returned);
      int n = c.poll(Duration.ofMillis(50)).count();
      assertTrue(n <= 2);
      returned += n;
      long committed = broker.committed(t0);
      assertTrue(committed <= returned, "committed " + committed + " > returned " + returned);
    }
    while (broker.committed(t0) < 2) { // the asynchronous auto-commits land
      assertTrue(System.nanoTime() < deadline, "no auto-commit seen");
      returned += c.poll(Duration.ofMillis(50)).count();
      assertTrue(broker.committed(t0) <= returned);
    }
    c.close(Duration.ofSeconds(5));
    assertEquals(returned, broker.committed(t0), "the final commit on close: what was returned");
  }

  /**
   * Commits are separate calls that a broker may handle in any order: a synchronous commit waits
   * for the asynchronous ones in flight, so that one of them cannot land after it and move the
   * committed offset back.
   */
  @Test
  void aSyncCommitIsNotOvertakenByAnAsyncCommitInFlight() throws Exception {
    broker.createTopic("t", 1);
    broker.produce("t", 0, 10);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    drain(c, 10);
    TopicPartition t0 = new TopicPartition("t", 0);
    CountDownLatch gate = new CountDownLatch(1);
    broker.holdNextCommit.set(gate);
    c.commitAsync(Map.of(t0, new OffsetAndMetadata(3)), null);
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (broker.heldCommits.get() == 0) {
      assertTrue(System.nanoTime() < deadline, "the async commit never reached the broker");
      Thread.onSpinWait();
    }
    int before = broker.commits.size();
    Thread opener =
        new Thread(
            () -> {
              // releases the held async commit once the sync commit was applied, or after a
              // while if it was not (it must not be: it waits for the async one)
              long until = System.nanoTime() + 300_000_000L;
              while (broker.commits.size() == before && System.nanoTime() < until) {
                Thread.onSpinWait();
              }
              gate.countDown();
            });
    opener.start();
    c.commitSync(Map.of(t0, new OffsetAndMetadata(10)));
    opener.join();
    assertEquals(before + 2, broker.commits.size(), "both commits applied");
    assertEquals(3, broker.commits.get(before).getTopics(0).getPartitions(0).getCommittedOffset());
    assertEquals(10, broker.committed(t0), "the sync commit is the last one applied");
    c.close(Duration.ofSeconds(5));
  }

  /**
   * A FindCoordinator slower than the poll timeout is not cut short by each poll (and sent again,
   * to the next bootstrap broker): it keeps request.timeout.ms, and the next poll waits on it.
   */
  @Test
  void aFindCoordinatorSlowerThanThePollIsAwaitedAcrossPolls() {
    broker.createTopic("t", 1);
    broker.produce("t", 0, 3);
    broker.findCoordinatorDelayMs = 150;
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    int got = 0;
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (got < 3) {
      assertTrue(System.nanoTime() < deadline, "timed out; got " + got);
      got += c.poll(Duration.ofMillis(20)).count();
    }
    assertEquals(1, broker.finds.size(), "one FindCoordinator, awaited by several polls");
    c.close(Duration.ofSeconds(5));
  }

  @Test
  void theHeartbeatThreadFindingTheCoordinatorLeavesTheApplicationsWakeupAlone() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    // the heartbeat thread loses the coordinator and looks for it, slowly, while the
    // application is between polls and calls wakeup()
    int finds = broker.finds.size();
    broker.findCoordinatorDelayMs = 400;
    broker.heartbeatErrors.add(ErrorCode.NOT_COORDINATOR);
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (broker.finds.size() == finds) {
      assertTrue(System.nanoTime() < deadline, "the heartbeat thread never looked");
      Thread.onSpinWait();
    }
    int answered = broker.findsAnswered.get();
    c.wakeup();
    while (broker.findsAnswered.get() == answered) {
      assertTrue(System.nanoTime() < deadline, "the FindCoordinator was never answered");
      Thread.onSpinWait();
    }
    // the wakeup is the application's: its next poll throws it, and the consumer goes on
    assertThrows(WakeupException.class, () -> c.poll(Duration.ofMillis(WAIT_MS)));
    broker.findCoordinatorDelayMs = 0;
    broker.produce("t", 0, 1);
    assertEquals(1, drain(c, 1).size());
    // and the heartbeat thread is still alive: heartbeats go on
    int beats = broker.heartbeats.get();
    while (broker.heartbeats.get() < beats + 3) {
      assertTrue(System.nanoTime() < deadline, "heartbeats stopped");
      c.poll(Duration.ofMillis(20));
    }
  }

  @Test
  void aCommitFromAFencedMemberFailsAndItsPartitionsAreLost() {
    broker.createTopic("t", 1);
    broker.produce("t", 0, 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    drain(c, 1);
    broker.commitErrors.add(ErrorCode.ILLEGAL_GENERATION);
    assertThrows(CommitFailedException.class, c::commitSync);
    assertEquals(-1, c.groupMetadata().generationId(), "generation reset");
    pollUntil("rejoined", () -> l.events.size() == 3, c);
    assertEquals(
        List.of("assigned:[t-0]", "lost:[t-0]", "assigned:[t-0]"), l.events, "lost, not revoked");
  }

  @Test
  void rebalanceInProgressAndUnknownMemberFailCommitsWithCommitFailed() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    TopicPartition t0 = new TopicPartition("t", 0);
    broker.commitErrors.add(ErrorCode.REBALANCE_IN_PROGRESS);
    assertThrows(
        CommitFailedException.class, () -> c.commitSync(Map.of(t0, new OffsetAndMetadata(0))));
    broker.commitErrors.add(ErrorCode.UNKNOWN_MEMBER_ID);
    assertThrows(
        CommitFailedException.class, () -> c.commitSync(Map.of(t0, new OffsetAndMetadata(0))));
    assertEquals("", c.groupMetadata().memberId(), "UNKNOWN_MEMBER_ID forgets the member id");
  }

  @Test
  void retriableCommitErrorsAreRetriedAndTheCoordinatorFoundAgain() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    int finds = broker.finds.size();
    int commits = broker.commits.size();
    broker.commitErrors.add(ErrorCode.NOT_COORDINATOR);
    broker.commitErrors.add(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    TopicPartition t0 = new TopicPartition("t", 0);
    c.commitSync(Map.of(t0, new OffsetAndMetadata(0)));
    assertEquals(0, broker.committed(t0));
    assertEquals(commits + 3, broker.commits.size(), "two failures, then success");
    // the heartbeat thread may look it up too
    assertTrue(broker.finds.size() > finds, "NOT_COORDINATOR: find it again");
  }

  @Test
  void commitAsyncCallbacksRunInALaterCallOfThePollingThread() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    TopicPartition t0 = new TopicPartition("t", 0);
    AtomicReference<Exception> ok = new AtomicReference<>(new Exception("not called"));
    Thread caller = Thread.currentThread();
    c.commitAsync(
        Map.of(t0, new OffsetAndMetadata(0)),
        (o, e) -> {
          assertEquals(caller, Thread.currentThread());
          ok.set(e);
        });
    pollUntil(
        "the callback ran",
        () -> ok.get() == null || !"not called".equals(ok.get().getMessage()),
        c);
    assertNull(ok.get());
    AtomicReference<Exception> failed = new AtomicReference<>();
    broker.commitErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    c.commitAsync(Map.of(t0, new OffsetAndMetadata(0)), (o, e) -> failed.set(e));
    pollUntil("the failure callback ran", () -> failed.get() != null, c);
    assertInstanceOf(RetriableCommitFailedException.class, failed.get());
  }

  @Test
  void resetPolicyNoneWithoutCommittedOffsetThrows() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of("auto.offset.reset", "none"));
    c.subscribe(List.of("t"));
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (true) {
      assertTrue(System.nanoTime() < deadline, "no NoOffsetForPartitionException");
      try {
        c.poll(Duration.ofMillis(50));
      } catch (NoOffsetForPartitionException e) {
        assertTrue(e.getMessage().contains("t-0"), e.getMessage());
        break;
      }
    }
  }

  @Test
  void assignWithAGroupCommitsFromOutsideTheMembership() {
    broker.createTopic("t", 1);
    broker.produce("t", 0, 4);
    TopicPartition t0 = new TopicPartition("t", 0);
    broker.commitDirectly(t0, 2);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.assign(List.of(t0));
    List<ConsumerRecord<String, String>> got = drain(c, 2);
    assertEquals(2, got.get(0).offset(), "from the committed offset");
    c.commitSync();
    OffsetCommitRequest last = broker.commits.get(broker.commits.size() - 1);
    assertEquals(-1, last.getGenerationId());
    assertEquals("", last.getMemberId());
    assertEquals(4, broker.committed(t0));
    assertThrows(IllegalStateException.class, () -> c.subscribe(List.of("t")));
  }

  // ------------------------------------------------------------------ leaving

  @Test
  void closeOfADynamicMemberLeavesTheGroupAfterRevoking() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    String member = c.groupMetadata().memberId();
    c.close();
    assertEquals(1, broker.leaves.size());
    assertEquals(member, broker.leaves.get(0).getMembers(0).getMemberId());
    assertEquals(List.of("assigned:[t-0]", "revoked:[t-0]"), l.events);
    assertEquals(FakeGroupBroker.State.EMPTY, broker.state());
  }

  @Test
  void unsubscribeLeavesTheGroup() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of());
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    c.unsubscribe();
    assertEquals(1, broker.leaves.size());
    assertTrue(c.assignment().isEmpty());
    assertTrue(c.subscription().isEmpty());
    assertThrows(IllegalStateException.class, () -> c.poll(Duration.ofMillis(1)));
  }

  @Test
  void aStaticMemberRestartsWithoutLeavingNorARebalance() {
    broker.createTopic("t", 2);
    Map<String, Object> s = Map.of("group.instance.id", "instance-1");
    BrookConsumer<String, String> first = consumer(s);
    first.subscribe(List.of("t"));
    pollUntil("assigned", () -> first.assignment().size() == 2, first);
    int generation = broker.generation();
    first.close();
    assertTrue(broker.leaves.isEmpty(), "a static member does not send LeaveGroup");
    assertEquals(1, broker.memberIds().size(), "still a member");
    BrookConsumer<String, String> second = consumer(s);
    second.subscribe(List.of("t"));
    pollUntil("assigned again", () -> second.assignment().size() == 2, second);
    assertEquals(generation, broker.generation(), "no rebalance");
    assertEquals(generation, second.groupMetadata().generationId());
    assertEquals("instance-1", broker.joins.get(broker.joins.size() - 1).getGroupInstanceId());
  }

  @Test
  void aMemberThatStopsPollingLeavesAndRejoinsWhenItPollsAgain() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of("max.poll.interval.ms", "300"));
    Events l = new Events();
    c.subscribe(List.of("t"), l);
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    waitUntil("the heartbeat thread left the group", () -> broker.leaves.size() == 1);
    assertEquals(FakeGroupBroker.State.EMPTY, broker.state());
    pollUntil("rejoined", () -> l.events.size() == 3, c);
    assertEquals(List.of("assigned:[t-0]", "lost:[t-0]", "assigned:[t-0]"), l.events);
  }

  // ------------------------------------------------------------------ metadata changes

  @Test
  void patternSubscriptionFollowsMatchingTopicsExceptInternalOnes() {
    broker.createTopic("p1", 1);
    broker.createTopic("other", 1);
    broker.createTopic("__internal", 1);
    broker.internalTopics.add("__internal");
    BrookConsumer<String, String> c = consumer(Map.of("metadata.max.age.ms", "50"));
    c.subscribe(Pattern.compile("p.*|__.*"));
    pollUntil("p1 assigned", () -> c.assignment().equals(tps("p1", 0)), c);
    assertEquals(Set.of("p1"), c.subscription());
    broker.createTopic("p2", 1);
    pollUntil(
        "p2 picked up",
        () -> {
          Set<TopicPartition> want = tps("p1", 0);
          want.addAll(tps("p2", 0));
          return c.assignment().equals(want);
        },
        c);
    assertEquals(Set.of("p1", "p2"), c.subscription());
  }

  @Test
  void theLeaderRebalancesWhenATopicGainsPartitions() {
    broker.createTopic("t", 1);
    BrookConsumer<String, String> c = consumer(Map.of("metadata.max.age.ms", "50"));
    c.subscribe(List.of("t"));
    pollUntil("assigned", () -> c.assignment().size() == 1, c);
    broker.createTopic("t", 3);
    pollUntil("new partitions assigned", () -> c.assignment().equals(tps("t", 0, 1, 2)), c);
    assertTrue(broker.generation() >= 2);
  }

  // ------------------------------------------------------------------ configuration

  @Test
  void groupApisWithoutAGroupIdAreRefused() {
    Map<String, Object> noGroup = new HashMap<>();
    noGroup.put("group.id", null);
    BrookConsumer<String, String> c = consumer(noGroup);
    assertThrows(InvalidGroupIdException.class, () -> c.subscribe(List.of("t")));
    assertThrows(InvalidGroupIdException.class, c::commitSync);
    assertThrows(InvalidGroupIdException.class, c::groupMetadata);
    assertNotNull(c.subscription());
  }
}
