package io.brook.broker.replica.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.replica.FollowerFetching.FetchStart;
import io.brook.broker.replica.Partition;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.Wait;
import io.brook.common.Scheduler;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher against a real gRPC leader over loopback ({@link TestReplicaLeader} serving real
 * logs): convergence, divergent tails, reconnects, fencing, out of range, and stopFetching.
 */
class ReplicaFetcherGrpcTest {
  static final int LEADER = 1;
  static final int FOLLOWER = 2;
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ReplicaFetcherConfig CONFIG =
      ReplicaFetcherConfig.DEFAULT.withFetchBackoffMs(100).withFetchWaitMaxMs(200);

  @TempDir Path tmp;
  final Time time = Time.SYSTEM;
  final List<Log> logs = new ArrayList<>();
  ThreadPoolScheduler scheduler;
  TestReplicaLeader leader;
  Server server;
  BrokerEndpoint leaderEndpoint;
  ReplicaFetcherManager manager;
  long ts = 1_000_000L;

  @BeforeEach
  void start() throws Exception {
    scheduler = new ThreadPoolScheduler("fetcher-test", 1);
    leader = new TestReplicaLeader();
    server = ServerBuilder.forPort(0).addService(leader).build().start();
    leaderEndpoint =
        BrokerEndpoint.newBuilder()
            .setId(LEADER)
            .setHost("127.0.0.1")
            .setPort(server.getPort())
            .build();
    manager = new ReplicaFetcherManager(FOLLOWER, () -> 7L, CONFIG, time, scheduler);
  }

  @AfterEach
  void stop() throws Exception {
    manager.close();
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    leader.shutdown();
    logs.forEach(Log::close);
    scheduler.close();
  }

  Log open(String broker, TopicPartition tp) throws Exception {
    Log l =
        Log.open(
            tmp.resolve(broker).resolve(tp.toString()),
            UUID.randomUUID(),
            LogConfig.DEFAULT,
            0,
            0,
            false,
            scheduler,
            time);
    logs.add(l);
    return l;
  }

  /** Appends {@code batches} batches of 3 records under {@code epoch}, the same bytes each call. */
  void append(Log log, int epoch, int batches) {
    for (int i = 0; i < batches; i++) {
      log.appendAsLeader(ByteBuffer.wrap(Batches.of(3, ts++).toByteArray()), epoch);
    }
  }

  Partition follower(TopicPartition tp, Log log, int leaderEpoch) {
    Partition p = new Partition(tp, FOLLOWER, log, 1);
    assertTrue(p.applyState(LEADER, leaderEpoch, 0, List.of(1, 2), List.of(1, 2)));
    return p;
  }

  void fetch(Partition p, int leaderEpoch) {
    manager.startFetching(Map.of(p, new FetchStart(LEADER, leaderEndpoint, leaderEpoch)));
  }

  static byte[] bytes(Log log) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      ByteBuffer b = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
      byte[] a = new byte[b.remaining()];
      b.get(a);
      out.writeBytes(a);
      int pos = 0;
      while (pos < a.length) {
        ByteBuffer bb = ByteBuffer.wrap(a);
        long base = bb.getLong(pos);
        int lastDelta = bb.getInt(pos + 23);
        offset = base + lastDelta + 1;
        pos += bb.getInt(pos + 8) + 12;
      }
    }
    return out.toByteArray();
  }

  static void awaitConverged(Log leaderLog, Log followerLog) {
    Wait.until(
        "follower log end "
            + followerLog.logEndOffset()
            + " and HW "
            + followerLog.highWatermark()
            + " reach the leader's "
            + leaderLog.logEndOffset(),
        WAIT,
        () ->
            followerLog.logEndOffset() == leaderLog.logEndOffset()
                && followerLog.highWatermark() == leaderLog.logEndOffset());
    assertEquals(leaderLog.logStartOffset(), followerLog.logStartOffset());
    assertArrayEquals(bytes(leaderLog), bytes(followerLog), "follower bytes differ from leader's");
  }

  @Test
  void followerConvergesByteForByteAndKeepsUp() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 0);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 20);
    append(leaderLog, 1, 30);
    leader.lead(tp, leaderLog, 1);
    Log followerLog = open("follower", tp);
    Partition p = follower(tp, followerLog, 1);
    fetch(p, 1);
    awaitConverged(leaderLog, followerLog);
    assertEquals(1, followerLog.latestEpoch().getAsInt());

    append(leaderLog, 1, 25);
    awaitConverged(leaderLog, followerLog);
    assertEquals(ReplicaFetcher.Phase.FETCHING, manager.phase(tp).orElseThrow());
  }

  @Test
  void divergentTailIsTruncatedToTheLeadersLog() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 1);
    Log leaderLog = open("leader", tp);
    Log followerLog = open("follower", tp);
    long start = ts;
    append(leaderLog, 0, 10);
    ts = start;
    append(followerLog, 0, 10); // the same 30 records, byte for byte
    // The follower (an old leader) wrote more in epoch 0, then some in epoch 1, all uncommitted.
    append(followerLog, 0, 3);
    append(followerLog, 1, 5);
    // The new leader took over in epoch 2 from offset 30.
    append(leaderLog, 2, 12);
    leader.lead(tp, leaderLog, 2);
    assertTrue(followerLog.logEndOffset() > 30);

    Partition p = follower(tp, followerLog, 2);
    fetch(p, 2);
    awaitConverged(leaderLog, followerLog);
    assertEquals(2, followerLog.latestEpoch().getAsInt());
  }

  /**
   * The follower led epoch 1 from offset 30 but appended nothing before the new leader began epoch
   * 2 at the same offset (found by the fault suite: a broker cut off from ZooKeeper while leading,
   * whose follower then stayed at its log end forever). Its empty epoch must go, not be asked about
   * again and again.
   */
  @Test
  void anEmptyEpochAtTheFollowersLogEndDoesNotStopFetching() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 9);
    Log leaderLog = open("leader", tp);
    Log followerLog = open("follower", tp);
    long start = ts;
    append(leaderLog, 0, 10);
    ts = start;
    append(followerLog, 0, 10); // the same 30 records, byte for byte
    followerLog.assignEpochStartOffset(1, followerLog.logEndOffset());
    append(leaderLog, 2, 12);
    leader.lead(tp, leaderLog, 2);

    Partition p = follower(tp, followerLog, 2);
    fetch(p, 2);
    awaitConverged(leaderLog, followerLog);
    assertEquals(2, followerLog.latestEpoch().getAsInt());
    assertEquals(new OffsetAndEpoch(30, 0), followerLog.endOffsetForEpoch(1));
  }

  @Test
  void divergenceFoundByTheFetchResponseIsTruncatedToo() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 2);
    Log leaderLog = open("leader", tp);
    long start = ts;
    append(leaderLog, 0, 10);
    append(leaderLog, 3, 10);
    leader.lead(tp, leaderLog, 3);
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 3), 3);
    awaitConverged(leaderLog, followerLog);
    assertEquals(60, followerLog.logEndOffset());

    // While the follower is FETCHING, the leader's log turns out to end epoch 3 at 42 (a leader
    // that lost its tail; the same bytes up to there): the fetch response says diverging_epoch.
    Log shorter = open("leader2", tp);
    ts = start;
    append(shorter, 0, 10);
    append(shorter, 3, 4);
    ts += 1000;
    int epochQueries = leader.epochRequests.get();
    leader.lead(tp, shorter, 3);
    Wait.until(
        "the follower truncates to 42, saw " + followerLog.logEndOffset(),
        WAIT,
        () -> followerLog.logEndOffset() == 42);
    append(shorter, 3, 8);
    awaitConverged(shorter, followerLog);
    assertEquals(66, followerLog.logEndOffset());
    assertEquals(
        epochQueries, leader.epochRequests.get(), "truncated without OffsetForLeaderEpoch");
  }

  @Test
  void killedStreamIsReopenedAndFetchingResumes() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 3);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 10);
    leader.lead(tp, leaderLog, 0);
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 0), 0);
    awaitConverged(leaderLog, followerLog);
    int before = leader.streamsOpened.get();

    leader.killStreams();
    append(leaderLog, 0, 10);
    awaitConverged(leaderLog, followerLog);
    assertTrue(
        leader.streamsOpened.get() > before,
        "expected a new stream after the kill, saw " + leader.streamsOpened.get());

    leader.killStreams();
    leader.killStreams();
    append(leaderLog, 0, 7);
    awaitConverged(leaderLog, followerLog);
  }

  /**
   * A leader that is not listening yet: the channel fails, and once it knows the leader is
   * unreachable it fails new streams at once, inside the call that opens them (on the fetcher's
   * event loop). The fetcher keeps retrying and replicates once the leader listens.
   */
  @Test
  void aLeaderNotListeningYetIsRetriedUntilItListens() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    BrokerEndpoint later =
        BrokerEndpoint.newBuilder().setId(LEADER).setHost("127.0.0.1").setPort(port).build();
    TopicPartition tp = new TopicPartition("orders", 5);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 10);
    leader.lead(tp, leaderLog, 0);
    Log followerLog = open("follower", tp);
    manager.startFetching(Map.of(follower(tp, followerLog, 0), new FetchStart(LEADER, later, 0)));
    Wait.until(
        "several failed attempts to reach the leader",
        WAIT,
        () -> manager.fetcher(LEADER).map(f -> f.consecutiveFailures() >= 4).orElse(false));

    Server late = ServerBuilder.forPort(port).addService(leader).build().start();
    try {
      awaitConverged(leaderLog, followerLog);
    } finally {
      late.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void stopFetchingHaltsAppendsWhileOtherPartitionsGoOn() throws Exception {
    TopicPartition stopped = new TopicPartition("orders", 4);
    TopicPartition going = new TopicPartition("orders", 5);
    Log leaderStopped = open("leader", stopped);
    Log leaderGoing = open("leader", going);
    append(leaderStopped, 0, 5);
    append(leaderGoing, 0, 5);
    leader.lead(stopped, leaderStopped, 0);
    leader.lead(going, leaderGoing, 0);
    Log followerStopped = open("follower", stopped);
    Log followerGoing = open("follower", going);
    Partition ps = follower(stopped, followerStopped, 0);
    Partition pg = follower(going, followerGoing, 0);
    manager.startFetching(
        Map.of(
            ps, new FetchStart(LEADER, leaderEndpoint, 0),
            pg, new FetchStart(LEADER, leaderEndpoint, 0)));
    awaitConverged(leaderStopped, followerStopped);
    awaitConverged(leaderGoing, followerGoing);

    manager.stopFetching(List.of(stopped));
    long end = followerStopped.logEndOffset();
    assertTrue(manager.phase(stopped).isEmpty());
    append(leaderStopped, 0, 5);
    append(leaderGoing, 0, 5);
    // The other partition's progress shows the fetcher made round trips after the append.
    awaitConverged(leaderGoing, followerGoing);
    append(leaderGoing, 0, 1);
    awaitConverged(leaderGoing, followerGoing);
    assertEquals(end, followerStopped.logEndOffset(), "a stopped partition was appended to");

    // Fetching again picks up where it stopped.
    fetch(ps, 0);
    awaitConverged(leaderStopped, followerStopped);
  }

  @Test
  void fencedEpochPausesUntilTheNextStartFetching() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 6);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 5);
    append(leaderLog, 4, 5);
    leader.lead(tp, leaderLog, 4);
    Log followerLog = open("follower", tp);
    Partition p = follower(tp, followerLog, 3);
    fetch(p, 3);
    Wait.until(
        "partition paused by FENCED_LEADER_EPOCH",
        WAIT,
        () -> manager.phase(tp).orElse(null) == ReplicaFetcher.Phase.PAUSED);
    assertEquals(0, followerLog.logEndOffset());

    p.applyState(LEADER, 4, 1, List.of(1, 2), List.of(1, 2));
    fetch(p, 4);
    awaitConverged(leaderLog, followerLog);
  }

  @Test
  void unknownLeaderEpochIsRetriedUntilTheLeaderCatchesUp() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 7);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 2, 5);
    leader.lead(tp, leaderLog, 2);
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 3), 3);
    int asked = leader.epochRequests.get() + leader.fetchRequests.get();
    Wait.until(
        "retries while the leader is behind",
        WAIT,
        () -> leader.epochRequests.get() + leader.fetchRequests.get() > asked + 1);
    assertEquals(0, followerLog.logEndOffset());

    leader.lead(tp, leaderLog, 3); // the leader got its LeaderAndIsr
    append(leaderLog, 3, 5);
    awaitConverged(leaderLog, followerLog);
  }

  @Test
  void followerBehindTheLeadersLogStartStartsOverThere() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 8);
    Log leaderLog = open("leader", tp);
    leaderLog.truncateFullyAndStartAt(300);
    append(leaderLog, 5, 10);
    leader.lead(tp, leaderLog, 5);
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 5), 5);
    awaitConverged(leaderLog, followerLog);
    assertEquals(300, followerLog.logStartOffset());
  }

  @Test
  void partitionThatBecameLeaderIsNeverWrittenByTheFetcher() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 9);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 5);
    leader.lead(tp, leaderLog, 0);
    Log followerLog = open("follower", tp);
    Partition p = follower(tp, followerLog, 0);
    fetch(p, 0);
    awaitConverged(leaderLog, followerLog);

    // LeaderAndIsr makes this broker the leader before the manager is told.
    p.applyState(FOLLOWER, 1, 1, List.of(2), List.of(1, 2));
    long end = followerLog.logEndOffset();
    append(leaderLog, 0, 5);
    Wait.until("the fetcher drops the partition", WAIT, () -> manager.phase(tp).isEmpty());
    assertEquals(end, followerLog.logEndOffset());
  }

  @Test
  void leaderLogStartInsideABatchStartsTheFollowerAtThatBatch() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 10);
    Log leaderLog = open("leader", tp);
    leaderLog.truncateFullyAndStartAt(300);
    append(leaderLog, 1, 4);
    leader.lead(tp, leaderLog, 1);
    leader.logStartOverride.put(tp, 301L); // inside the batch [300, 302]
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 1), 1);
    awaitConverged(leaderLog, followerLog);
    assertEquals(300, followerLog.logStartOffset());
  }

  @Test
  void startFetchingAgainWithTheSameEpochChangesNothing() throws Exception {
    TopicPartition tp = new TopicPartition("orders", 11);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 0, 5);
    leader.lead(tp, leaderLog, 0);
    Log followerLog = open("follower", tp);
    Partition p = follower(tp, followerLog, 0);
    fetch(p, 0);
    awaitConverged(leaderLog, followerLog);
    int epochQueries = leader.epochRequests.get();
    int streams = leader.streamsOpened.get();
    fetch(p, 0);
    append(leaderLog, 0, 5);
    awaitConverged(leaderLog, followerLog);
    assertEquals(epochQueries, leader.epochRequests.get(), "truncated again");
    assertEquals(streams, leader.streamsOpened.get(), "opened another stream");
  }

  @Test
  void leaderAtANewEndpointGetsANewFetcherWithEveryPartition() throws Exception {
    TopicPartition a = new TopicPartition("orders", 12);
    TopicPartition b = new TopicPartition("orders", 13);
    Log leaderA = open("leader", a);
    Log leaderB = open("leader", b);
    append(leaderA, 0, 5);
    append(leaderB, 0, 5);
    leader.lead(a, leaderA, 0);
    leader.lead(b, leaderB, 0);
    Log followerA = open("follower", a);
    Log followerB = open("follower", b);
    Partition pa = follower(a, followerA, 0);
    Partition pb = follower(b, followerB, 0);
    manager.startFetching(
        Map.of(
            pa, new FetchStart(LEADER, leaderEndpoint, 0),
            pb, new FetchStart(LEADER, leaderEndpoint, 0)));
    awaitConverged(leaderA, followerA);
    awaitConverged(leaderB, followerB);

    // The leader restarts on another port; only partition a is named in the new LeaderAndIsr.
    TestReplicaLeader moved = new TestReplicaLeader();
    Server other = ServerBuilder.forPort(0).addService(moved).build().start();
    try {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      moved.lead(a, leaderA, 1);
      moved.lead(b, leaderB, 0);
      append(leaderA, 1, 5);
      append(leaderB, 0, 5);
      pa.applyState(LEADER, 1, 1, List.of(1, 2), List.of(1, 2));
      BrokerEndpoint newEndpoint = leaderEndpoint.toBuilder().setPort(other.getPort()).build();
      manager.startFetching(Map.of(pa, new FetchStart(LEADER, newEndpoint, 1)));
      awaitConverged(leaderA, followerA);
      awaitConverged(leaderB, followerB);
      assertEquals(newEndpoint, manager.fetcher(LEADER).orElseThrow().leaderEndpoint());
    } finally {
      other.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      moved.shutdown();
    }
  }

  /**
   * A scheduler whose futures never say they are done, as a real one's may not yet be while its
   * task's effects already run on the fetcher thread: the fetcher must not take them for pending.
   */
  static final class LateFutureScheduler implements Scheduler {
    private final Scheduler delegate;

    LateFutureScheduler(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public ScheduledFuture<?> schedule(String name, Runnable task, long delayMs, long periodMs) {
      ScheduledFuture<?> f = delegate.schedule(name, task, delayMs, periodMs);
      return new ScheduledFuture<Object>() {
        @Override
        public long getDelay(TimeUnit unit) {
          return f.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed o) {
          return f.compareTo(o);
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
          return f.cancel(mayInterrupt);
        }

        @Override
        public boolean isCancelled() {
          return f.isCancelled();
        }

        @Override
        public boolean isDone() {
          return false;
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
          return f.get();
        }

        @Override
        public Object get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
          return f.get(timeout, unit);
        }
      };
    }

    @Override
    public void close() {}
  }

  @Test
  void backoffRetriesGoOnWhateverTheTimerFuturesSay() throws Exception {
    manager.close();
    manager =
        new ReplicaFetcherManager(
            FOLLOWER, () -> 7L, CONFIG, time, new LateFutureScheduler(scheduler));
    TopicPartition tp = new TopicPartition("orders", 14);
    Log leaderLog = open("leader", tp);
    append(leaderLog, 2, 5);
    leader.lead(tp, leaderLog, 2);
    Log followerLog = open("follower", tp);
    fetch(follower(tp, followerLog, 3), 3);
    int asked = leader.fetchRequests.get();
    Wait.until(
        "three retries while the leader is behind",
        WAIT,
        () -> leader.fetchRequests.get() > asked + 2);
    leader.lead(tp, leaderLog, 3);
    append(leaderLog, 3, 5);
    awaitConverged(leaderLog, followerLog);
  }
}
