package io.brook.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.common.MockTime;
import io.brook.common.Scheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ConsumerProtocolSubscription;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListedGroup;
import io.brook.protocol.v1.MemberIdentity;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import io.brook.protocol.v1.SyncGroupAssignment;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The group coordinator's membership protocol (join, sync, heartbeat, leave, rebalances, fencing)
 * against an in-memory {@link GroupStore}, a {@link MockTime} and a manual scheduler. Also home of
 * the {@link Harness} the other {@code GroupCoordinator*Test}s use.
 */
class GroupCoordinatorTest {
  static final String GROUP = "group-1";
  static final int SESSION_MS = 10_000;
  static final int REBALANCE_MS = 30_000;

  /** Small timeouts, no initial rebalance delay (tests that need it build their own config). */
  static final GroupConfig CONFIG =
      new GroupConfig(1000, 60_000, 0, 100, 7L * 24 * 3600 * 1000, 600_000L, 20, 5000);

  // ------------------------------------------------------------------ the harness

  /** A scheduler run by hand: tasks run on the test thread when the clock reaches them. */
  static final class ManualScheduler implements Scheduler {
    final MockTime time;
    private final List<Task> tasks = new ArrayList<>();
    private long seq;

    ManualScheduler(MockTime time) {
      this.time = time;
    }

    final class Task implements ScheduledFuture<Object> {
      final String name;
      final Runnable body;
      final long periodMs;
      final long order = seq++;
      long nextRunMs;
      volatile boolean cancelled;
      volatile boolean done;

      Task(String name, Runnable body, long nextRunMs, long periodMs) {
        this.name = name;
        this.body = body;
        this.nextRunMs = nextRunMs;
        this.periodMs = periodMs;
      }

      @Override
      public long getDelay(TimeUnit unit) {
        return unit.convert(nextRunMs - time.milliseconds(), TimeUnit.MILLISECONDS);
      }

      @Override
      public int compareTo(Delayed o) {
        return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
      }

      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        cancelled = true;
        return true;
      }

      @Override
      public boolean isCancelled() {
        return cancelled;
      }

      @Override
      public boolean isDone() {
        return done || cancelled;
      }

      @Override
      public Object get() {
        return null;
      }

      @Override
      public Object get(long timeout, TimeUnit unit) {
        return null;
      }
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(
        String name, Runnable task, long delayMs, long periodMs) {
      Task t = new Task(name, task, time.milliseconds() + delayMs, periodMs);
      tasks.add(t);
      return t;
    }

    /** Advances the clock by {@code ms} in steps of due tasks, running each at its time. */
    void advance(long ms) {
      long end = time.milliseconds() + ms;
      while (true) {
        runDue();
        long next;
        synchronized (this) {
          tasks.removeIf(Task::isDone);
          next = tasks.stream().mapToLong(t -> t.nextRunMs).min().orElse(Long.MAX_VALUE);
        }
        if (next > end) {
          time.advance(end - time.milliseconds());
          runDue();
          return;
        }
        time.advance(next - time.milliseconds());
      }
    }

    /** Runs every task due now. */
    void runDue() {
      while (true) {
        Task next;
        synchronized (this) {
          tasks.removeIf(Task::isDone);
          next =
              tasks.stream()
                  .filter(t -> t.nextRunMs <= time.milliseconds())
                  .min(
                      Comparator.<Task>comparingLong(t -> t.nextRunMs)
                          .thenComparingLong(t -> t.order))
                  .orElse(null);
          if (next == null) {
            return;
          }
          if (next.periodMs > 0) {
            next.nextRunMs += next.periodMs;
          } else {
            next.done = true;
          }
        }
        next.body.run();
      }
    }

    synchronized List<String> pendingNames() {
      tasks.removeIf(Task::isDone);
      return tasks.stream().map(t -> t.name).toList();
    }

    @Override
    public void close() {}
  }

  /** An in-memory store: appends are recorded; they complete at once or when the test says. */
  static final class FakeStore implements GroupStore {
    record Append(String groupId, List<GroupRecord> records, CompletableFuture<ErrorCode> result) {}

    final int numPartitions;
    final List<Append> appends = new ArrayList<>();
    boolean autoComplete = true;
    ErrorCode autoResult = ErrorCode.NONE;

    FakeStore(int numPartitions) {
      this.numPartitions = numPartitions;
    }

    @Override
    public int partitionFor(String groupId) {
      return (groupId.hashCode() & 0x7fffffff) % numPartitions;
    }

    @Override
    public synchronized CompletableFuture<ErrorCode> append(
        String groupId, List<GroupRecord> records) {
      CompletableFuture<ErrorCode> f = new CompletableFuture<>();
      appends.add(new Append(groupId, List.copyOf(records), f));
      if (autoComplete) {
        f.complete(autoResult);
      }
      return f;
    }

    synchronized Append last() {
      return appends.get(appends.size() - 1);
    }

    synchronized List<GroupRecord> allRecords() {
      List<GroupRecord> r = new ArrayList<>();
      appends.forEach(a -> r.addAll(a.records()));
      return r;
    }
  }

  /** A coordinator that owns (and has loaded) every partition of a 4-partition offsets topic. */
  static final class Harness {
    final MockTime time = new MockTime();
    final ManualScheduler scheduler = new ManualScheduler(time);
    final FakeStore store = new FakeStore(4);
    final AtomicInteger ids = new AtomicInteger();
    final GroupCoordinator coordinator;

    Harness() {
      this(CONFIG);
    }

    Harness(GroupConfig config) {
      coordinator =
          new GroupCoordinator(config, store, time, scheduler, () -> "u" + ids.incrementAndGet());
      coordinator.startup();
      for (int p = 0; p < store.numPartitions; p++) {
        coordinator.onElection(p, 0);
        coordinator.onLoaded(p, 0, new GroupStore.LoadedPartition(p, Map.of(), Map.of()));
      }
    }

    CompletableFuture<JoinGroupResponse> join(JoinGroupRequest req) {
      return coordinator.joinGroup(req, "/127.0.0.1");
    }

    /** The first join of a dynamic member: MEMBER_ID_REQUIRED with its id. */
    String newMemberId(String group, String clientId) {
      return newMemberId(joinReq(group, "", clientId));
    }

    /** The first join of a dynamic member ({@code req} without member id): its new id. */
    String newMemberId(JoinGroupRequest.Builder req) {
      JoinGroupResponse r = done(join(req.clone().setMemberId("").build()));
      assertEquals(ErrorCode.MEMBER_ID_REQUIRED, r.getError());
      return r.getMemberId();
    }

    /** Both joins of a dynamic member; the second waits for the rebalance. */
    CompletableFuture<JoinGroupResponse> joinDynamic(String group, String clientId) {
      return join(joinReq(group, newMemberId(group, clientId), clientId).build());
    }

    CompletableFuture<SyncGroupResponse> sync(
        String group, int generation, String memberId, Map<String, ByteString> assignment) {
      SyncGroupRequest.Builder b =
          SyncGroupRequest.newBuilder()
              .setGroupId(group)
              .setGenerationId(generation)
              .setMemberId(memberId)
              .setProtocolType("consumer")
              .setProtocolName("range");
      assignment.forEach(
          (m, a) ->
              b.addAssignments(SyncGroupAssignment.newBuilder().setMemberId(m).setAssignment(a)));
      return coordinator.syncGroup(b.build());
    }

    ErrorCode heartbeat(String group, int generation, String memberId) {
      return heartbeat(group, generation, memberId, "");
    }

    ErrorCode heartbeat(String group, int generation, String memberId, String instanceId) {
      return done(coordinator.heartbeat(
              HeartbeatRequest.newBuilder()
                  .setGroupId(group)
                  .setGenerationId(generation)
                  .setMemberId(memberId)
                  .setGroupInstanceId(instanceId)
                  .build()))
          .getError();
    }

    LeaveGroupResponse leave(String group, String memberId, String instanceId) {
      return done(
          coordinator.leaveGroup(
              LeaveGroupRequest.newBuilder()
                  .setGroupId(group)
                  .addMembers(
                      MemberIdentity.newBuilder()
                          .setMemberId(memberId)
                          .setGroupInstanceId(instanceId)
                          .setReason("test"))
                  .build()));
    }

    DescribedGroup describe(String group) {
      return coordinator
          .describeGroups(DescribeGroupsRequest.newBuilder().addGroups(group).build())
          .getGroups(0);
    }

    String state(String group) {
      return describe(group).getGroupState();
    }

    /**
     * A Stable group of dynamic members joined together; the leader assigns each member the bytes
     * of its own id. Returns the members' JoinGroup responses in join order.
     */
    List<JoinGroupResponse> stableGroup(String group, String... clientIds) {
      List<CompletableFuture<JoinGroupResponse>> joins = new ArrayList<>();
      for (String c : clientIds) {
        joins.add(joinDynamic(group, c));
      }
      scheduler.runDue();
      List<JoinGroupResponse> rs = joins.stream().map(GroupCoordinatorTest::done).toList();
      completeRebalance(group, rs);
      return rs;
    }

    /** Syncs every member of a completed join; the leader first; asserts all get their bytes. */
    void completeRebalance(String group, List<JoinGroupResponse> rs) {
      Map<String, ByteString> assignment = new java.util.HashMap<>();
      for (JoinGroupResponse r : rs) {
        assertEquals(ErrorCode.NONE, r.getError(), r.toString());
        assignment.put(r.getMemberId(), ByteString.copyFromUtf8("a-" + r.getMemberId()));
      }
      List<CompletableFuture<SyncGroupResponse>> syncs = new ArrayList<>();
      for (JoinGroupResponse r : rs) {
        boolean leader = r.getLeader().equals(r.getMemberId());
        syncs.add(
            sync(group, r.getGenerationId(), r.getMemberId(), leader ? assignment : Map.of()));
      }
      for (int i = 0; i < rs.size(); i++) {
        SyncGroupResponse s = done(syncs.get(i));
        assertEquals(ErrorCode.NONE, s.getError());
        assertEquals("a-" + rs.get(i).getMemberId(), s.getAssignment().toStringUtf8());
      }
      assertEquals("Stable", state(group));
    }

    CompletableFuture<OffsetCommitResponse> commit(
        String group, int generation, String memberId, String topic, int partition, long offset) {
      return coordinator.offsetCommit(
          OffsetCommitRequest.newBuilder()
              .setGroupId(group)
              .setGenerationId(generation)
              .setMemberId(memberId)
              .addTopics(
                  OffsetCommitTopic.newBuilder()
                      .setName(topic)
                      .addPartitions(
                          OffsetCommitPartition.newBuilder()
                              .setPartition(partition)
                              .setCommittedOffset(offset)
                              .setCommittedLeaderEpoch(3)
                              .setCommittedMetadata("m")))
              .build());
    }

    /** The committed offset of one partition as OffsetFetch returns it (-1 if none). */
    long fetch(String group, String topic, int partition) {
      OffsetFetchResponse r =
          done(
              coordinator.offsetFetch(
                  OffsetFetchRequest.newBuilder()
                      .setGroupId(group)
                      .addTopics(
                          OffsetFetchTopic.newBuilder().setName(topic).addPartitions(partition))
                      .build()));
      assertEquals(ErrorCode.NONE, r.getError());
      return r.getTopics(0).getPartitions(0).getCommittedOffset();
    }
  }

  static ByteString subscription(String... topics) {
    return ConsumerProtocolSubscription.newBuilder()
        .addAllTopics(List.of(topics))
        .build()
        .toByteString();
  }

  static JoinGroupProtocol protocol(String name, ByteString metadata) {
    return JoinGroupProtocol.newBuilder().setName(name).setMetadata(metadata).build();
  }

  static JoinGroupRequest.Builder joinReq(String group, String memberId, String clientId) {
    return JoinGroupRequest.newBuilder()
        .setGroupId(group)
        .setMemberId(memberId)
        .setClientId(clientId)
        .setSessionTimeoutMs(SESSION_MS)
        .setRebalanceTimeoutMs(REBALANCE_MS)
        .setProtocolType("consumer")
        .addProtocols(protocol("range", subscription("t")));
  }

  static <T> T done(CompletableFuture<T> f) {
    assertTrue(f.isDone(), "expected the response to be complete");
    return f.join();
  }

  static ErrorCode commitError(OffsetCommitResponse r) {
    return r.getTopics(0).getPartitions(0).getError();
  }

  final Harness h = new Harness();

  // ------------------------------------------------------------------ tests

  @Test
  void firstDynamicJoinGetsMemberIdRequiredWithANewMemberId() {
    JoinGroupResponse r = done(h.join(joinReq(GROUP, "", "client").build()));
    assertEquals(ErrorCode.MEMBER_ID_REQUIRED, r.getError());
    assertEquals("client-u1", r.getMemberId());
    // Not a member yet: the group is still Empty and a heartbeat with the id is refused.
    assertEquals("Empty", h.state(GROUP));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 0, "client-u1"));
  }

  @Test
  void singleMemberJoinsSyncsAndHeartbeats() {
    CompletableFuture<JoinGroupResponse> join = h.joinDynamic(GROUP, "client");
    assertEquals("PreparingRebalance", h.state(GROUP));
    h.scheduler.runDue();
    JoinGroupResponse r = done(join);
    assertEquals(ErrorCode.NONE, r.getError());
    assertEquals(1, r.getGenerationId());
    assertEquals("range", r.getProtocolName());
    assertEquals("consumer", r.getProtocolType());
    assertEquals(r.getMemberId(), r.getLeader());
    assertEquals(1, r.getMembersCount());
    assertEquals(subscription("t"), r.getMembers(0).getMetadata());
    assertEquals("CompletingRebalance", h.state(GROUP));

    int appendsBefore = h.store.appends.size();
    SyncGroupResponse s =
        done(
            h.sync(
                GROUP, 1, r.getMemberId(), Map.of(r.getMemberId(), ByteString.copyFromUtf8("x"))));
    assertEquals(ErrorCode.NONE, s.getError());
    assertEquals("x", s.getAssignment().toStringUtf8());
    assertEquals("Stable", h.state(GROUP));
    // The assignment was stored as a GroupMetadata record before it was handed out.
    assertEquals(appendsBefore + 1, h.store.appends.size());
    GroupStore.GroupRecord.GroupMetadata rec =
        (GroupStore.GroupRecord.GroupMetadata) h.store.last().records().get(0);
    assertEquals(1, rec.value().getGeneration());
    assertEquals("range", rec.value().getProtocol());
    assertEquals(r.getMemberId(), rec.value().getLeader());
    assertEquals("x", rec.value().getMembers(0).getAssignment().toStringUtf8());
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, r.getMemberId()));
  }

  @Test
  void syncOfTheLeaderIsAwaitedUntilItsAssignmentIsStored() {
    h.store.autoComplete = false;
    CompletableFuture<JoinGroupResponse> join = h.joinDynamic(GROUP, "client");
    h.scheduler.runDue();
    JoinGroupResponse r = done(join);
    CompletableFuture<SyncGroupResponse> s =
        h.sync(GROUP, 1, r.getMemberId(), Map.of(r.getMemberId(), ByteString.copyFromUtf8("x")));
    assertFalse(s.isDone());
    assertEquals("CompletingRebalance", h.state(GROUP));
    h.store.last().result().complete(ErrorCode.NONE);
    assertEquals("x", done(s).getAssignment().toStringUtf8());
    assertEquals("Stable", h.state(GROUP));
  }

  @Test
  void initialRebalanceDelayWaitsForMoreMembersUpToTheRebalanceTimeout() {
    Harness d =
        new Harness(new GroupConfig(1000, 60_000, 3000, 100, 1_000_000L, 600_000L, 20, 5000));
    CompletableFuture<JoinGroupResponse> a = d.joinDynamic(GROUP, "a");
    d.scheduler.advance(2000);
    CompletableFuture<JoinGroupResponse> b = d.joinDynamic(GROUP, "b");
    d.scheduler.advance(1000);
    // The delay expired but a member arrived meanwhile: the wait is extended.
    assertFalse(a.isDone());
    d.scheduler.advance(2999);
    assertFalse(a.isDone());
    d.scheduler.advance(1);
    assertEquals(ErrorCode.NONE, done(a).getError());
    assertEquals(ErrorCode.NONE, done(b).getError());
    assertEquals(1, done(a).getGenerationId());
    assertEquals(2, done(a).getMembersCount());
    assertEquals(0, done(b).getMembersCount());
  }

  @Test
  void initialRebalanceDelayIsBoundedByTheRebalanceTimeout() {
    Harness d =
        new Harness(new GroupConfig(1000, 60_000, 3000, 100, 1_000_000L, 600_000L, 20, 5000));
    JoinGroupRequest.Builder first =
        joinReq(GROUP, d.newMemberId(GROUP, "a"), "a").setRebalanceTimeoutMs(7000);
    CompletableFuture<JoinGroupResponse> a = d.join(first.build());
    // A new member every 2.5 s would extend the delay forever; the rebalance timeout bounds it.
    for (int i = 0; i < 4; i++) {
      d.scheduler.advance(2500);
      if (a.isDone()) {
        break;
      }
      d.join(
          joinReq(GROUP, d.newMemberId(GROUP, "m" + i), "m" + i)
              .setRebalanceTimeoutMs(7000)
              .build());
    }
    assertTrue(a.isDone(), "the join completed within the rebalance timeout");
    assertTrue(d.time.milliseconds() - new MockTime().milliseconds() <= 7500);
  }

  @Test
  void aNewMemberTriggersARebalanceAndTheFollowerWaitsForTheLeadersAssignment() {
    List<JoinGroupResponse> first = h.stableGroup(GROUP, "a");
    String a = first.get(0).getMemberId();
    CompletableFuture<JoinGroupResponse> bJoin = h.joinDynamic(GROUP, "b");
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, h.heartbeat(GROUP, 1, a));
    assertFalse(bJoin.isDone());
    CompletableFuture<JoinGroupResponse> aJoin = h.join(joinReq(GROUP, a, "a").build());
    // Every known member rejoined: the rebalance completes without waiting for a timer.
    JoinGroupResponse ra = done(aJoin);
    JoinGroupResponse rb = done(bJoin);
    assertEquals(2, ra.getGenerationId());
    assertEquals(2, rb.getGenerationId());
    assertEquals(a, ra.getLeader());
    assertEquals(a, rb.getLeader());
    assertEquals(2, ra.getMembersCount());
    assertEquals(0, rb.getMembersCount());

    CompletableFuture<SyncGroupResponse> bSync = h.sync(GROUP, 2, rb.getMemberId(), Map.of());
    assertFalse(bSync.isDone(), "a follower waits for the leader's SyncGroup");
    SyncGroupResponse as =
        done(
            h.sync(
                GROUP,
                2,
                a,
                Map.of(
                    a,
                    ByteString.copyFromUtf8("A"),
                    rb.getMemberId(),
                    ByteString.copyFromUtf8("B"))));
    assertEquals("A", as.getAssignment().toStringUtf8());
    assertEquals("B", done(bSync).getAssignment().toStringUtf8());
    assertEquals(ErrorCode.ILLEGAL_GENERATION, h.heartbeat(GROUP, 1, a));
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 2, a));
  }

  @Test
  void rebalanceTimeoutRemovesAMemberThatDidNotRejoin() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    CompletableFuture<JoinGroupResponse> aJoin = h.join(joinReq(GROUP, a, "a").build());
    assertEquals("PreparingRebalance", h.state(GROUP));
    // b keeps heartbeating but never rejoins.
    for (int i = 0; i < 5; i++) {
      h.scheduler.advance(5000);
      assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, h.heartbeat(GROUP, 1, b));
    }
    assertFalse(aJoin.isDone());
    h.scheduler.advance(5000); // 30 s = the rebalance timeout
    JoinGroupResponse ra = done(aJoin);
    assertEquals(ErrorCode.NONE, ra.getError());
    assertEquals(2, ra.getGenerationId());
    assertEquals(List.of(a), ra.getMembersList().stream().map(m -> m.getMemberId()).toList());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 2, b));
  }

  @Test
  void leaderThatDoesNotRejoinIsReplacedByAMemberThatDid() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    assertEquals(a, rs.get(0).getLeader());
    // b rejoins with a new subscription (a rebalance); a never rejoins.
    CompletableFuture<JoinGroupResponse> bJoin =
        h.join(
            joinReq(GROUP, b, "b")
                .clearProtocols()
                .addProtocols(protocol("range", subscription("t", "u")))
                .build());
    assertFalse(bJoin.isDone());
    h.scheduler.advance(REBALANCE_MS);
    JoinGroupResponse rb = done(bJoin);
    assertEquals(b, rb.getLeader());
    assertEquals(1, rb.getMembersCount());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 2, a));
  }

  @Test
  void sessionExpiryRemovesTheSilentMemberAndRebalances() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    // b heartbeats every 3 s; a stays silent.
    for (int i = 0; i < 3; i++) {
      h.scheduler.advance(3000);
      assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, b));
      assertEquals("Stable", h.state(GROUP));
    }
    h.scheduler.advance(1000); // 10 s since a's last sign of life
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 1, a));
    assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, h.heartbeat(GROUP, 1, b));
    JoinGroupResponse rb = done(h.join(joinReq(GROUP, b, "b").build()));
    assertEquals(2, rb.getGenerationId());
    assertEquals(b, rb.getLeader());
    assertEquals(1, rb.getMembersCount());
  }

  @Test
  void heartbeatsKeepAMemberAliveForManySessions() {
    String a = h.stableGroup(GROUP, "a").get(0).getMemberId();
    for (int i = 0; i < 20; i++) {
      h.scheduler.advance(SESSION_MS - 1);
      assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, a));
    }
    assertEquals("Stable", h.state(GROUP));
    h.scheduler.advance(SESSION_MS);
    // The last member gone, the rebalance completes at once to an Empty generation.
    assertEquals("Empty", h.state(GROUP));
  }

  @Test
  void pendingMemberIdExpiresAfterTheSessionTimeout() {
    String id = h.newMemberId(GROUP, "a");
    h.scheduler.advance(SESSION_MS);
    JoinGroupResponse r = done(h.join(joinReq(GROUP, id, "a").build()));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, r.getError());
  }

  @Test
  void staleGenerationAndUnknownMembersAreFenced() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    assertEquals(ErrorCode.ILLEGAL_GENERATION, h.heartbeat(GROUP, 0, a));
    assertEquals(ErrorCode.ILLEGAL_GENERATION, done(h.sync(GROUP, 7, a, Map.of())).getError());
    assertEquals(ErrorCode.ILLEGAL_GENERATION, commitError(done(h.commit(GROUP, 0, a, "t", 0, 5))));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 1, "nobody"));
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID, done(h.sync(GROUP, 1, "nobody", Map.of())).getError());
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID, commitError(done(h.commit(GROUP, 1, "nobody", "t", 0, 5))));
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID,
        done(h.join(joinReq(GROUP, "nobody", "x").build())).getError());
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID,
        done(h.join(joinReq("no-such-group", "someone", "x").build())).getError());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat("no-such-group", 1, "someone"));
    assertEquals("Stable", h.state(GROUP));
  }

  @Test
  void invalidSessionTimeoutIsRefused() {
    for (int timeout : new int[] {999, 60_001}) {
      JoinGroupResponse r =
          done(h.join(joinReq(GROUP, "", "a").setSessionTimeoutMs(timeout).build()));
      assertEquals(ErrorCode.INVALID_SESSION_TIMEOUT, r.getError(), "session " + timeout);
    }
  }

  @Test
  void inconsistentProtocolsAreRefused() {
    h.stableGroup(GROUP, "a");
    JoinGroupResponse otherType =
        done(h.join(joinReq(GROUP, "", "b").setProtocolType("connect").build()));
    assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, otherType.getError());
    JoinGroupResponse noCommon =
        done(
            h.join(
                joinReq(GROUP, "", "b")
                    .clearProtocols()
                    .addProtocols(protocol("roundrobin", subscription("t")))
                    .build()));
    assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, noCommon.getError());
    JoinGroupResponse none = done(h.join(joinReq("g2", "", "b").clearProtocols().build()));
    assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, none.getError());
  }

  @Test
  void theProtocolEveryMemberSupportsWithTheMostVotesIsChosen() {
    JoinGroupRequest.Builder a =
        joinReq(GROUP, "", "a")
            .clearProtocols()
            .addProtocols(protocol("range", subscription("t")))
            .addProtocols(protocol("roundrobin", subscription("t")))
            .addProtocols(protocol("sticky", subscription("t")));
    JoinGroupRequest.Builder b =
        joinReq(GROUP, "", "b")
            .clearProtocols()
            .addProtocols(protocol("sticky", subscription("t")))
            .addProtocols(protocol("roundrobin", subscription("t")));
    JoinGroupRequest.Builder c =
        joinReq(GROUP, "", "c")
            .clearProtocols()
            .addProtocols(protocol("roundrobin", subscription("t")))
            .addProtocols(protocol("sticky", subscription("t")));
    List<CompletableFuture<JoinGroupResponse>> joins = new ArrayList<>();
    for (JoinGroupRequest.Builder req : List.of(a, b, c)) {
      joins.add(h.join(req.setMemberId(h.newMemberId(req)).build()));
    }
    h.scheduler.runDue();
    // range is not supported by b and c; sticky gets b's vote, roundrobin a's and c's.
    for (CompletableFuture<JoinGroupResponse> j : joins) {
      assertEquals("roundrobin", done(j).getProtocolName());
    }
  }

  @Test
  void groupMaxSizeRefusesTheExtraMember() {
    Harness small =
        new Harness(new GroupConfig(1000, 60_000, 0, 2, 1_000_000L, 600_000L, 20, 5000));
    small.stableGroup(GROUP, "a", "b");
    JoinGroupResponse r = done(small.join(joinReq(GROUP, "", "c").build()));
    assertEquals(ErrorCode.GROUP_MAX_SIZE_REACHED, r.getError());
    assertEquals("Stable", small.state(GROUP));
    // While rebalancing, only as many members as the limit may rejoin.
    Harness other =
        new Harness(new GroupConfig(1000, 60_000, 0, 1, 1_000_000L, 600_000L, 20, 5000));
    CompletableFuture<JoinGroupResponse> x = other.joinDynamic(GROUP, "x");
    assertEquals(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        done(other.join(joinReq(GROUP, "", "y").build())).getError());
    other.scheduler.runDue();
    assertEquals(1, done(x).getMembersCount());
  }

  @Test
  void followerRejoiningWithTheSameMetadataGetsTheCurrentGenerationButTheLeaderRebalances() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    JoinGroupResponse rb = done(h.join(joinReq(GROUP, b, "b").build()));
    assertEquals(ErrorCode.NONE, rb.getError());
    assertEquals(1, rb.getGenerationId());
    assertEquals("Stable", h.state(GROUP));
    CompletableFuture<JoinGroupResponse> ra = h.join(joinReq(GROUP, a, "a").build());
    assertFalse(ra.isDone());
    assertEquals("PreparingRebalance", h.state(GROUP));
    // A follower with new metadata also rebalances.
    CompletableFuture<JoinGroupResponse> rb2 =
        h.join(
            joinReq(GROUP, b, "b")
                .clearProtocols()
                .addProtocols(protocol("range", subscription("t", "u")))
                .build());
    assertEquals(2, done(ra).getGenerationId());
    assertEquals(2, done(rb2).getGenerationId());
  }

  @Test
  void leaveGroupRemovesTheMemberAndTheGroupRebalances() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    LeaveGroupResponse r = h.leave(GROUP, b, "");
    assertEquals(ErrorCode.NONE, r.getError());
    assertEquals(ErrorCode.NONE, r.getMembers(0).getError());
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 1, b));
    JoinGroupResponse ra = done(h.join(joinReq(GROUP, a, "a").build()));
    assertEquals(2, ra.getGenerationId());
    assertEquals(1, ra.getMembersCount());
    h.completeRebalance(GROUP, List.of(ra));

    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID, h.leave(GROUP, "nobody", "").getMembers(0).getError());
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID, h.leave("no-such-group", "x", "").getMembers(0).getError());

    // The last member leaves: the next generation is Empty, written with no members.
    assertEquals(ErrorCode.NONE, h.leave(GROUP, a, "").getMembers(0).getError());
    assertEquals("Empty", h.state(GROUP));
    GroupStore.GroupRecord.GroupMetadata rec =
        (GroupStore.GroupRecord.GroupMetadata) h.store.last().records().get(0);
    assertEquals(3, rec.value().getGeneration());
    assertEquals(0, rec.value().getMembersCount());
    assertEquals("", rec.value().getProtocol());
  }

  @Test
  void leaveOfAMemberWaitingInARebalanceAnswersItsJoin() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    CompletableFuture<JoinGroupResponse> aJoin = h.join(joinReq(GROUP, a, "a").build());
    h.leave(GROUP, a, "");
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, done(aJoin).getError());
    // b is the only one left and has not rejoined yet.
    JoinGroupResponse rb = done(h.join(joinReq(GROUP, b, "b").build()));
    assertEquals(b, rb.getLeader());
  }

  @Test
  void failedAssignmentStoreFailsTheSyncsAndRebalancesAgain() {
    CompletableFuture<JoinGroupResponse> aj = h.joinDynamic(GROUP, "a");
    CompletableFuture<JoinGroupResponse> bj = h.joinDynamic(GROUP, "b");
    h.scheduler.runDue();
    JoinGroupResponse ra = done(aj);
    JoinGroupResponse rb = done(bj);
    CompletableFuture<SyncGroupResponse> bs = h.sync(GROUP, 1, rb.getMemberId(), Map.of());
    h.store.autoResult = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    SyncGroupResponse as =
        done(
            h.sync(
                GROUP,
                1,
                ra.getMemberId(),
                Map.of(ra.getMemberId(), ByteString.copyFromUtf8("A"))));
    assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, as.getError());
    assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, done(bs).getError());
    assertEquals("PreparingRebalance", h.state(GROUP));
  }

  @Test
  void syncWhileRebalancingOrWithTheWrongProtocolIsRefused() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    SyncGroupResponse wrong =
        done(
            h.coordinator.syncGroup(
                SyncGroupRequest.newBuilder()
                    .setGroupId(GROUP)
                    .setGenerationId(1)
                    .setMemberId(a)
                    .setProtocolType("consumer")
                    .setProtocolName("roundrobin")
                    .build()));
    assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, wrong.getError());
    h.join(joinReq(GROUP, a, "a").build());
    assertEquals(
        ErrorCode.REBALANCE_IN_PROGRESS,
        done(h.sync(GROUP, 1, rs.get(1).getMemberId(), Map.of())).getError());
  }

  @Test
  void describeAndListShowKafkasStateNames() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a");
    DescribedGroup d = h.describe(GROUP);
    assertEquals(ErrorCode.NONE, d.getError());
    assertEquals("Stable", d.getGroupState());
    assertEquals("consumer", d.getProtocolType());
    assertEquals("range", d.getProtocolData());
    assertEquals(1, d.getMembersCount());
    assertEquals(rs.get(0).getMemberId(), d.getMembers(0).getMemberId());
    assertEquals("a", d.getMembers(0).getClientId());
    assertEquals("/127.0.0.1", d.getMembers(0).getClientHost());
    assertEquals(subscription("t"), d.getMembers(0).getMemberMetadata());
    assertEquals(
        "a-" + rs.get(0).getMemberId(), d.getMembers(0).getMemberAssignment().toStringUtf8());

    DescribedGroup unknown = h.describe("nope");
    assertEquals(ErrorCode.NONE, unknown.getError());
    assertEquals("Dead", unknown.getGroupState());
    assertEquals(0, unknown.getMembersCount());

    h.newMemberId("other", "x"); // creates "other" as Empty
    ListGroupsResponse all = h.coordinator.listGroups(ListGroupsRequest.getDefaultInstance());
    assertEquals(ErrorCode.NONE, all.getError());
    assertEquals(
        List.of("group-1:Stable", "other:Empty"),
        all.getGroupsList().stream().map(g -> g.getGroupId() + ":" + g.getGroupState()).toList());
    ListGroupsResponse stable =
        h.coordinator.listGroups(ListGroupsRequest.newBuilder().addStatesFilter("stable").build());
    assertEquals(
        List.of(GROUP), stable.getGroupsList().stream().map(ListedGroup::getGroupId).toList());
  }

  @Test
  void requestsForGroupsOfOtherCoordinatorsOrWithoutIdAreRefused() {
    int p = h.store.partitionFor(GROUP);
    assertTrue(h.coordinator.isCoordinatorFor(GROUP));
    h.coordinator.onResignation(p, 1);
    assertFalse(h.coordinator.isCoordinatorFor(GROUP));
    assertEquals(
        ErrorCode.NOT_COORDINATOR, done(h.join(joinReq(GROUP, "", "a").build())).getError());
    assertEquals(ErrorCode.NOT_COORDINATOR, h.heartbeat(GROUP, 1, "a"));
    assertEquals(ErrorCode.NOT_COORDINATOR, h.describe(GROUP).getError());
    assertEquals(ErrorCode.NOT_COORDINATOR, commitError(done(h.commit(GROUP, -1, "", "t", 0, 1))));
    assertEquals(ErrorCode.INVALID_GROUP_ID, done(h.join(joinReq("", "", "a").build())).getError());
    assertEquals(ErrorCode.INVALID_GROUP_ID, h.describe("").getError());
  }

  @Test
  void aMemberThatSendsASecondJoinGetsItsFirstOneAnswered() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    CompletableFuture<JoinGroupResponse> first = h.join(joinReq(GROUP, a, "a").build());
    CompletableFuture<JoinGroupResponse> second = h.join(joinReq(GROUP, a, "a").build());
    assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, done(first).getError());
    assertFalse(second.isDone());
    h.join(joinReq(GROUP, rs.get(1).getMemberId(), "b").build());
    assertEquals(2, done(second).getGenerationId());
  }

  @Test
  void topicPartitionRecordOrderIsStable() {
    // Sanity of the harness: partitionFor is Kafka's abs(hash) % n.
    assertEquals(("group-1".hashCode() & 0x7fffffff) % 4, h.store.partitionFor(GROUP));
    assertEquals(new TopicPartition("t", 0), new TopicPartition("t", 0));
  }
}
