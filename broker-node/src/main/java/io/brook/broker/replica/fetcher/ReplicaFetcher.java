package io.brook.broker.replica.fetcher;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogStorageException;
import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.replica.ApiException;
import io.brook.broker.replica.Partition;
import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.EpochEndOffset;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Replicates the partitions this broker follows from one leader broker, over one Replicate stream.
 *
 * <p>Per partition, a small state machine:
 *
 * <pre>
 *   (added) --> TRUNCATING --OffsetForLeaderEpoch answered, truncated--> FETCHING
 *   FETCHING --diverging_epoch / OFFSET_OUT_OF_RANGE (log end past the leader's)--> TRUNCATING
 *   any --FENCED_LEADER_EPOCH, storage error--> PAUSED (until the manager adds it again)
 *   any --UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...-->
 *       same state, delayed by replica.fetch.backoff.ms (the leader has not caught up with the
 *       controller yet; as Kafka)
 * </pre>
 *
 * A partition with no leader epoch in its log truncates to its high watermark instead of asking.
 * The stream carries strictly alternating requests and responses; each request holds the position
 * (log end offset, last fetched epoch) of every FETCHING partition that is not delayed. A failed
 * stream (or no response within replica.socket.timeout.ms beyond the fetch wait) is reopened after
 * replica.fetch.backoff.ms.
 *
 * <p>Invariants: a partition is written (append, truncation, high watermark) only by this fetcher's
 * thread, only while it is in {@link #partitions} with the same state object it had when the
 * request was built, only under {@link #partitionMapLock}, and only through the Partition follower
 * methods, which refuse once the partition is no longer a follower of the fetched leader epoch.
 * Hence once {@link #removePartitions} returns, no write for those partitions is in progress and
 * none starts.
 *
 * <p>Thread rules: every event (stream callbacks, RPC answers, timers, wake-ups) runs on the
 * fetcher's single thread. {@link #addPartitions}, {@link #removePartitions} and {@link #close} may
 * be called from any thread; they take {@link #partitionMapLock} (never call them while holding a
 * Partition's lock: the fetcher thread takes a Partition's lock under partitionMapLock).
 */
public final class ReplicaFetcher implements AutoCloseable {
  private static final Logger logger = LogManager.getLogger(ReplicaFetcher.class);

  /** Where a partition is in its state machine. */
  public enum Phase {
    TRUNCATING,
    FETCHING,
    PAUSED
  }

  /** One partition's fetch state; a new object each time the partition is (re)added. */
  static final class PartitionFetchState {
    final Partition partition;
    final int leaderEpoch;
    // @GuardedBy("partitionMapLock")
    Phase phase = Phase.TRUNCATING;
    // @GuardedBy("partitionMapLock"): monotonic ms; no fetch or truncation before it
    long delayedUntilMs;

    PartitionFetchState(Partition partition, int leaderEpoch) {
      this.partition = partition;
      this.leaderEpoch = leaderEpoch;
    }

    TopicPartition tp() {
      return partition.topicPartition();
    }
  }

  private final int localBrokerId;
  private final int leaderId;
  private final BrokerEndpoint leaderEndpoint;
  private final LongSupplier brokerEpoch;
  private final ReplicaFetcherConfig config;
  private final Time time;
  private final Scheduler scheduler;
  private final EventThread executor;
  private final LeaderConnection connection;
  private final String name;

  private final ReentrantLock partitionMapLock = new ReentrantLock();

  // @GuardedBy("partitionMapLock")
  private final Map<TopicPartition, PartitionFetchState> partitions = new LinkedHashMap<>();

  private volatile boolean closed;

  /** The follower replication quota; null: no throttling. */
  private volatile io.brook.broker.replica.ReplicationQuota quota;

  // Fetcher thread only.
  private LeaderConnection.FetchStream stream;

  /** Identifies the stream open (or opening) now; null when none. */
  private Object streamToken;

  private long nextRequestId;
  private long inFlightRequestId = -1;
  private Map<TopicPartition, Sent> inFlight = Map.of();
  private ScheduledFuture<?> responseTimer;
  private boolean epochQueryInFlight;
  private long reconnectNotBeforeMs;
  private ScheduledFuture<?> wakeupTimer;
  private long wakeupAtMs = Long.MAX_VALUE;
  private long wakeupGeneration;
  // written on the fetcher thread only; volatile for consecutiveFailures()
  private volatile int consecutiveFailures;

  /**
   * What a request said about a partition, to match the answer with the state it was built from.
   */
  private record Sent(PartitionFetchState state, long fetchOffset) {}

  ReplicaFetcher(
      int localBrokerId,
      int leaderId,
      BrokerEndpoint leaderEndpoint,
      LongSupplier brokerEpoch,
      ReplicaFetcherConfig config,
      Time time,
      Scheduler scheduler,
      LeaderConnection.Factory connections) {
    this.localBrokerId = localBrokerId;
    this.leaderId = leaderId;
    this.leaderEndpoint = leaderEndpoint;
    this.brokerEpoch = brokerEpoch;
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.name = "ReplicaFetcher-" + localBrokerId + "-from-" + leaderId;
    // One thread; events after close are dropped (late gRPC callbacks included).
    this.executor = connections.newEventThread(name);
    this.connection = connections.connect(leaderEndpoint, executor);
  }

  public int leaderId() {
    return leaderId;
  }

  /** Sets the follower replication quota (see {@link io.brook.broker.replica.ReplicationQuota}). */
  void setQuota(io.brook.broker.replica.ReplicationQuota quota) {
    this.quota = quota;
    wakeup();
  }

  /**
   * Whether this follower's fetches of {@code s} count against the quota (throttled, not in ISR).
   */
  private boolean followerThrottled(
      io.brook.broker.replica.ReplicationQuota q, PartitionFetchState s) {
    return q != null && q.isThrottled(s.tp()) && !s.partition.state().isr().contains(localBrokerId);
  }

  public BrokerEndpoint leaderEndpoint() {
    return leaderEndpoint;
  }

  /**
   * Adds partitions, each starting in TRUNCATING with the leader epoch given (replacing any state
   * it had here).
   */
  void addPartitions(Map<Partition, Integer> leaderEpochs) {
    partitionMapLock.lock();
    try {
      if (closed) {
        throw new IllegalStateException(name + " is closed");
      }
      leaderEpochs.forEach(
          (p, epoch) -> partitions.put(p.topicPartition(), new PartitionFetchState(p, epoch)));
    } finally {
      partitionMapLock.unlock();
    }
    logger.debug("{} added {}", name, leaderEpochs.keySet());
    wakeup();
  }

  /**
   * Removes partitions; returns the removed states. When this returns, no write by this fetcher to
   * those partitions is in progress, and none will start.
   */
  Map<TopicPartition, PartitionFetchState> removePartitions(Collection<TopicPartition> tps) {
    Map<TopicPartition, PartitionFetchState> removed = new HashMap<>();
    partitionMapLock.lock();
    try {
      for (TopicPartition tp : tps) {
        PartitionFetchState s = partitions.remove(tp);
        if (s != null) {
          removed.put(tp, s);
        }
      }
    } finally {
      partitionMapLock.unlock();
    }
    return removed;
  }

  /** The partitions fetched here with their leader epochs (a snapshot). */
  Map<TopicPartition, PartitionFetchState> partitionStates() {
    partitionMapLock.lock();
    try {
      return new LinkedHashMap<>(partitions);
    } finally {
      partitionMapLock.unlock();
    }
  }

  /** Failures in a row to reach the leader (stream or OffsetForLeaderEpoch); 0 once answered. */
  int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** The phase of a partition, or null when it is not fetched here (for tests and tools). */
  public Phase phase(TopicPartition tp) {
    partitionMapLock.lock();
    try {
      PartitionFetchState s = partitions.get(tp);
      return s == null ? null : s.phase;
    } finally {
      partitionMapLock.unlock();
    }
  }

  boolean isEmpty() {
    partitionMapLock.lock();
    try {
      return partitions.isEmpty();
    } finally {
      partitionMapLock.unlock();
    }
  }

  /**
   * Ends the stream and stops the thread. When this returns, no write by this fetcher is in
   * progress and none will start. Idempotent.
   */
  @Override
  public void close() {
    partitionMapLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      partitions.clear();
    } finally {
      partitionMapLock.unlock();
    }
    executor.execute(
        () -> {
          closeStream("the fetcher is closing");
          cancelTimers();
        });
    // the connection before the thread: its I/O may run on that thread (EventThread)
    connection.close();
    try {
      if (!executor.shutdown(config.socketTimeoutMs())) {
        logger.warn("{} did not stop within {} ms", name, config.socketTimeoutMs());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.debug("{} closed", name);
  }

  // ------------------------------------------------------------------ event loop

  /** Makes the fetcher thread look for work. */
  void wakeup() {
    executor.execute(this::doWork);
  }

  private void doWork() {
    if (closed) {
      return;
    }
    try {
      maybeTruncate();
      maybeFetch();
    } catch (RuntimeException e) {
      // A bug, not an expected failure: say it loudly, and keep the fetcher alive by retrying.
      logger.error("{}: unexpected error; retrying in {} ms", name, config.fetchBackoffMs(), e);
      closeStream("unexpected error: " + e);
      scheduleWakeup(nowMs() + config.fetchBackoffMs());
    }
  }

  private long nowMs() {
    return time.hiResClockMs();
  }

  /**
   * Makes sure the fetcher thread wakes up at {@code atMs} at the latest. The pending timer is
   * known on this thread only ({@link #wakeupAtMs}, cleared when the timer's wake-up runs here), so
   * a timer that fired but whose future is not done yet is never taken for a pending one.
   */
  private void scheduleWakeup(long atMs) {
    if (closed || wakeupAtMs <= atMs) {
      return;
    }
    if (wakeupTimer != null) {
      wakeupTimer.cancel(false);
    }
    long generation = ++wakeupGeneration;
    wakeupAtMs = atMs;
    long delay = Math.max(0, atMs - nowMs());
    wakeupTimer =
        scheduler.schedule(
            name + "-wakeup", () -> executor.execute(() -> onWakeupTimer(generation)), delay, 0);
  }

  private void onWakeupTimer(long generation) {
    if (generation == wakeupGeneration) {
      wakeupTimer = null;
      wakeupAtMs = Long.MAX_VALUE;
    }
    doWork();
  }

  private void cancelTimers() {
    if (wakeupTimer != null) {
      wakeupTimer.cancel(false);
    }
    if (responseTimer != null) {
      responseTimer.cancel(false);
    }
  }

  // ------------------------------------------------------------------ truncation

  private void maybeTruncate() {
    if (epochQueryInFlight) {
      return;
    }
    long now = nowMs();
    long nextDelayed = Long.MAX_VALUE;
    Map<TopicPartition, PartitionFetchState> queried = new HashMap<>();
    OffsetForLeaderEpochRequest.Builder req =
        OffsetForLeaderEpochRequest.newBuilder().setReplicaId(localBrokerId);
    partitionMapLock.lock();
    try {
      for (PartitionFetchState s : new ArrayList<>(partitions.values())) {
        if (s.phase != Phase.TRUNCATING) {
          continue;
        }
        if (s.delayedUntilMs > now) {
          nextDelayed = Math.min(nextDelayed, s.delayedUntilMs);
          continue;
        }
        OptionalInt latest = s.partition.log().latestEpoch();
        if (latest.isEmpty()) {
          // No epoch to ask about: only what was committed is known to be the leader's.
          Log log = s.partition.log();
          guarded(
              s,
              () -> {
                truncate(s, Math.min(log.highWatermark(), log.logEndOffset()), "no leader epoch");
                s.phase = Phase.FETCHING;
              });
          continue;
        }
        queried.put(s.tp(), s);
        req.addPartitions(
            EpochQuery.newBuilder()
                .setTopic(s.tp().topic())
                .setPartition(s.tp().partition())
                .setCurrentLeaderEpoch(s.leaderEpoch)
                .setLeaderEpoch(latest.getAsInt()));
      }
    } finally {
      partitionMapLock.unlock();
    }
    if (nextDelayed != Long.MAX_VALUE) {
      scheduleWakeup(nextDelayed);
    }
    if (queried.isEmpty()) {
      return;
    }
    epochQueryInFlight = true;
    connection
        .offsetForLeaderEpoch(req.build(), config.socketTimeoutMs())
        .whenCompleteAsync((resp, err) -> onEpochAnswer(queried, resp, err), executor);
  }

  private void onEpochAnswer(
      Map<TopicPartition, PartitionFetchState> queried,
      OffsetForLeaderEpochResponse resp,
      Throwable err) {
    epochQueryInFlight = false;
    if (closed) {
      return;
    }
    if (err != null) {
      logger.log(
          failureLevel(),
          "{}: OffsetForLeaderEpoch to broker {} ({}:{}) failed: {}; retrying in {} ms",
          name,
          leaderId,
          leaderEndpoint.getHost(),
          leaderEndpoint.getPort(),
          err.toString(),
          config.fetchBackoffMs());
      partitionMapLock.lock();
      try {
        for (PartitionFetchState s : queried.values()) {
          if (partitions.get(s.tp()) == s) {
            delay(s);
          }
        }
      } finally {
        partitionMapLock.unlock();
      }
    } else {
      consecutiveFailures = 0;
      partitionMapLock.lock();
      try {
        Map<TopicPartition, PartitionFetchState> unanswered = new HashMap<>(queried);
        for (EpochEndOffset answer : resp.getPartitionsList()) {
          TopicPartition tp = new TopicPartition(answer.getTopic(), answer.getPartition());
          unanswered.remove(tp);
          PartitionFetchState s = partitions.get(tp);
          if (s == null || s != queried.get(tp) || s.phase != Phase.TRUNCATING) {
            continue; // removed or re-added meanwhile
          }
          guarded(s, () -> onEpochEndOffset(s, answer));
        }
        // A leader that leaves a partition out is asked again after the backoff, not at once.
        for (PartitionFetchState s : unanswered.values()) {
          if (partitions.get(s.tp()) == s && s.phase == Phase.TRUNCATING) {
            delay(s);
          }
        }
      } finally {
        partitionMapLock.unlock();
      }
    }
    doWork();
  }

  // @GuardedBy("partitionMapLock")
  private void onEpochEndOffset(PartitionFetchState s, EpochEndOffset answer) {
    ErrorCode error = answer.getError();
    if (error != ErrorCode.NONE) {
      onPartitionError(s, error, answer.toString());
      return;
    }
    if (truncateTowards(s, answer.getLeaderEpoch(), answer.getEndOffset())) {
      s.phase = Phase.FETCHING;
    }
  }

  /**
   * Applies {@link TruncationDecision} to the leader's (epoch, end offset); returns whether the
   * truncation is complete (else another OffsetForLeaderEpoch round is needed).
   */
  // @GuardedBy("partitionMapLock")
  private boolean truncateTowards(PartitionFetchState s, int leaderEpoch, long leaderEndOffset) {
    Log log = s.partition.log();
    int followerEpoch = -1;
    long followerEnd = -1;
    if (leaderEpoch >= 0 && leaderEndOffset >= 0) {
      OffsetAndEpoch own = log.endOffsetForEpoch(leaderEpoch);
      followerEpoch = own.epoch();
      followerEnd = own.offset();
    }
    TruncationDecision.Truncation t =
        TruncationDecision.decide(
            leaderEpoch,
            leaderEndOffset,
            followerEpoch,
            followerEnd,
            log.logEndOffset(),
            log.highWatermark());
    truncate(s, t.offset(), "leader epoch " + leaderEpoch + " ends at " + leaderEndOffset);
    return t.completed();
  }

  // @GuardedBy("partitionMapLock")
  private void truncate(PartitionFetchState s, long offset, String why) {
    Log log = s.partition.log();
    long before = log.logEndOffset();
    // Called even when nothing is cut: the log then drops a leader epoch that starts at its end
    // with no record (this broker led it briefly), which would otherwise make every following
    // fetch diverge at the same place.
    s.partition.truncateTo(Math.min(offset, before), s.leaderEpoch);
    if (offset >= before) {
      return;
    }
    logger.info(
        "Truncated {} from {} to {} (leader epoch {}, leader {}; {})",
        s.tp(),
        before,
        log.logEndOffset(),
        s.leaderEpoch,
        leaderId,
        why);
  }

  // ------------------------------------------------------------------ fetching

  private void maybeFetch() {
    if (inFlightRequestId >= 0) {
      return;
    }
    long now = nowMs();
    long nextDelayed = Long.MAX_VALUE;
    Map<TopicPartition, Sent> sent = new LinkedHashMap<>();
    List<ReplicaFetchPosition> positions = new ArrayList<>();
    io.brook.broker.replica.ReplicationQuota q = quota;
    partitionMapLock.lock();
    try {
      for (PartitionFetchState s : partitions.values()) {
        if (s.phase != Phase.FETCHING) {
          continue;
        }
        if (s.delayedUntilMs > now) {
          nextDelayed = Math.min(nextDelayed, s.delayedUntilMs);
          continue;
        }
        if (followerThrottled(q, s) && q.isQuotaExceeded()) {
          // Throttled and the quota is spent: skip this partition for a round, look again later.
          q.recordSkip(s.tp());
          nextDelayed = Math.min(nextDelayed, now + Math.min(1000, q.throttleTimeMs()));
          continue;
        }
        Log log = s.partition.log();
        long leo = log.logEndOffset();
        sent.put(s.tp(), new Sent(s, leo));
        positions.add(
            ReplicaFetchPosition.newBuilder()
                .setTopic(s.tp().topic())
                .setPartition(s.tp().partition())
                .setFetchOffset(leo)
                .setLastFetchedEpoch(log.latestEpoch().orElse(-1))
                .setCurrentLeaderEpoch(s.leaderEpoch)
                .setLogStartOffset(log.logStartOffset())
                .setPartitionMaxBytes(config.fetchMaxBytes())
                .build());
      }
    } finally {
      partitionMapLock.unlock();
    }
    if (nextDelayed != Long.MAX_VALUE) {
      scheduleWakeup(nextDelayed);
    }
    if (positions.isEmpty()) {
      return;
    }
    if (stream == null) {
      if (now < reconnectNotBeforeMs) {
        scheduleWakeup(reconnectNotBeforeMs);
        return;
      }
      openStream();
      if (stream == null) {
        return;
      }
    }
    if (!stream.isReady()) {
      return; // onReady wakes us up
    }
    long id = nextRequestId++;
    ReplicaFetchRequest req =
        ReplicaFetchRequest.newBuilder()
            .setReplicaId(localBrokerId)
            .setBrokerEpoch(brokerEpoch.getAsLong())
            .addAllPositions(positions)
            .setRequestId(id)
            .setMaxWaitMs(config.fetchWaitMaxMs())
            .setMinBytes(config.fetchMinBytes())
            .setMaxBytes(config.fetchResponseMaxBytes())
            .build();
    inFlightRequestId = id;
    inFlight = sent;
    LeaderConnection.FetchStream current = stream;
    responseTimer =
        scheduler.schedule(
            name + "-response-timeout",
            () -> executor.execute(() -> onResponseTimeout(current, id)),
            config.fetchWaitMaxMs() + config.socketTimeoutMs(),
            0);
    stream.send(req);
  }

  /**
   * Opens a new Replicate stream. Its callbacks may run inside {@code openStream} itself (a channel
   * that already knows the leader is unreachable fails the call at once, and with the fetcher on
   * the channel's event loop the failure is delivered inline): {@link #streamToken} tells them
   * apart from those of older streams, and a stream that failed while opening is not kept.
   */
  private void openStream() {
    Object token = new Object();
    streamToken = token;
    LeaderConnection.FetchStream opened =
        connection.openStream(
            new LeaderConnection.StreamListener() {
              @Override
              public void onReady() {
                if (streamToken == token && stream != null) {
                  doWork();
                }
              }

              @Override
              public void onResponse(ReplicaFetchResponse response) {
                if (streamToken == token && stream != null) {
                  ReplicaFetcher.this.onResponse(response);
                }
              }

              @Override
              public void onClosed(Throwable cause) {
                if (streamToken == token) {
                  streamToken = null;
                  onStreamFailed(cause.toString());
                }
              }
            });
    if (streamToken != token) {
      return; // failed while opening; onStreamFailed scheduled the reconnect
    }
    stream = opened;
    logger.debug(
        "{} opened a Replicate stream to {}:{}",
        name,
        leaderEndpoint.getHost(),
        leaderEndpoint.getPort());
  }

  private void onResponseTimeout(LeaderConnection.FetchStream s, long id) {
    if (stream == s && inFlightRequestId == id && !closed) {
      onStreamFailed(
          "no response within replica.socket.timeout.ms="
              + config.socketTimeoutMs()
              + " (+ the fetch wait)");
    }
  }

  private void onStreamFailed(String why) {
    if (closed) {
      return;
    }
    logger.log(
        failureLevel(),
        "{}: the Replicate stream to broker {} ({}:{}) failed: {}; reconnecting in {} ms",
        name,
        leaderId,
        leaderEndpoint.getHost(),
        leaderEndpoint.getPort(),
        why,
        config.fetchBackoffMs());
    closeStream(why);
    reconnectNotBeforeMs = nowMs() + config.fetchBackoffMs();
    scheduleWakeup(reconnectNotBeforeMs);
  }

  /**
   * WARN for the first failure in a row and every 50th, DEBUG between: a dead leader is retried
   * every replica.fetch.backoff.ms until the controller moves the partitions away.
   */
  private Level failureLevel() {
    consecutiveFailures++;
    return consecutiveFailures == 1 || consecutiveFailures % 50 == 0 ? Level.WARN : Level.DEBUG;
  }

  private void closeStream(String why) {
    streamToken = null;
    if (stream != null) {
      LeaderConnection.FetchStream s = stream;
      stream = null;
      s.cancel(why);
    }
    inFlightRequestId = -1;
    inFlight = Map.of();
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
  }

  private void onResponse(ReplicaFetchResponse resp) {
    if (closed) {
      return;
    }
    if (resp.getRequestId() != inFlightRequestId) {
      onStreamFailed(
          "response to request "
              + resp.getRequestId()
              + " while request "
              + inFlightRequestId
              + " is outstanding");
      return;
    }
    Map<TopicPartition, Sent> sent = inFlight;
    consecutiveFailures = 0;
    inFlightRequestId = -1;
    inFlight = Map.of();
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
    partitionMapLock.lock();
    try {
      for (ReplicaFetchData data : resp.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(data.getTopic(), data.getPartition());
        Sent s = sent.get(tp);
        PartitionFetchState state = partitions.get(tp);
        if (s == null
            || state != s.state
            || state.phase != Phase.FETCHING
            || state.partition.log().logEndOffset() != s.fetchOffset) {
          continue; // removed, re-added or truncated since the request was built
        }
        guarded(state, () -> onPartitionData(state, data));
      }
    } finally {
      partitionMapLock.unlock();
    }
    if (stream != null) {
      stream.requestNext();
    }
    doWork();
  }

  // @GuardedBy("partitionMapLock")
  private void onPartitionData(PartitionFetchState s, ReplicaFetchData data) {
    switch (data.getError()) {
      case NONE -> {
        if (data.hasDivergingEpoch() && data.getDivergingEpoch().getLeaderEpoch() >= 0) {
          EpochEndOffset d = data.getDivergingEpoch();
          if (!truncateTowards(s, d.getLeaderEpoch(), d.getEndOffset())) {
            s.phase = Phase.TRUNCATING;
          }
          return;
        }
        if (!data.getRecords().isEmpty()) {
          ByteBuffer records = data.getRecords().asReadOnlyByteBuffer();
          io.brook.broker.replica.ReplicationQuota q = quota;
          if (followerThrottled(q, s)) {
            q.record(records.remaining());
          }
          maybeStartAtFirstBatch(s, records);
          s.partition.appendAsFollower(records, s.leaderEpoch);
        }
        s.partition.updateFollowerHighWatermark(data.getHighWatermark(), s.leaderEpoch);
      }
      case OFFSET_OUT_OF_RANGE -> onOutOfRange(s, data);
      default -> onPartitionError(s, data.getError(), data.getErrorMessage());
    }
  }

  /**
   * An empty log whose start falls inside the leader's first batch (the leader's log start is not
   * at a batch boundary) starts at that batch instead, as Kafka's follower does; otherwise the
   * append would be refused for not continuing the log.
   */
  // @GuardedBy("partitionMapLock")
  private void maybeStartAtFirstBatch(PartitionFetchState s, ByteBuffer records) {
    Log log = s.partition.log();
    long leo = log.logEndOffset();
    int size = RecordBatch.sizeAt(records, records.position());
    if (leo != log.logStartOffset() || size < RecordBatch.RECORD_BATCH_OVERHEAD) {
      return;
    }
    RecordBatch first = RecordBatch.wrap(records.duplicate().limit(records.position() + size));
    if (first.baseOffset() < leo && first.lastOffset() >= leo) {
      s.partition.truncateFullyAndStartAt(first.baseOffset(), s.leaderEpoch);
      logger.info(
          "{} starts at {}, the base of the leader's first batch, not at {} inside it",
          s.tp(),
          first.baseOffset(),
          leo);
    }
  }

  /**
   * The leader does not have our log end offset: below its log start, start over there; otherwise
   * our log runs past the leader's end, which an OffsetForLeaderEpoch round finds and truncates.
   */
  // @GuardedBy("partitionMapLock")
  private void onOutOfRange(PartitionFetchState s, ReplicaFetchData data) {
    Log log = s.partition.log();
    long leo = log.logEndOffset();
    long leaderStart = data.getLogStartOffset();
    if (leaderStart > leo) {
      s.partition.truncateFullyAndStartAt(leaderStart, s.leaderEpoch);
      logger.info(
          "Truncated {} fully from {}; it now starts at the leader's log start {} (leader epoch {},"
              + " leader {})",
          s.tp(),
          leo,
          leaderStart,
          s.leaderEpoch,
          leaderId);
      return;
    }
    logger.info(
        "Fetch offset {} of {} is out of range on leader {} (log start {}): truncating by leader"
            + " epoch",
        leo,
        s.tp(),
        leaderId,
        leaderStart);
    s.phase = Phase.TRUNCATING;
    delay(s);
  }

  // @GuardedBy("partitionMapLock")
  private void onPartitionError(PartitionFetchState s, ErrorCode error, String message) {
    if (error == ErrorCode.FENCED_LEADER_EPOCH) {
      // Our epoch is older than the leader's: a LeaderAndIsr is on its way and will restart us.
      s.phase = Phase.PAUSED;
      logger.info(
          "{} paused: leader {} fenced leader epoch {} ({})",
          s.tp(),
          leaderId,
          s.leaderEpoch,
          message);
      return;
    }
    // UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION: the leader has not
    // applied the LeaderAndIsr we already have; KAFKA_STORAGE_ERROR and others: maybe transient.
    logger.debug(
        "{}: {} from leader {} (leader epoch {}): {}; retrying in {} ms",
        s.tp(),
        error,
        leaderId,
        s.leaderEpoch,
        message,
        config.fetchBackoffMs());
    delay(s);
  }

  // @GuardedBy("partitionMapLock")
  private void delay(PartitionFetchState s) {
    s.delayedUntilMs = nowMs() + config.fetchBackoffMs();
  }

  /**
   * Runs a write step for {@code s}, turning failures into state: the partition no longer being a
   * follower of our epoch removes it here (the manager restarts it if needed); a storage failure
   * pauses it (its log directory is offline); anything else retries by truncation after a backoff.
   */
  // @GuardedBy("partitionMapLock")
  private void guarded(PartitionFetchState s, Runnable step) {
    try {
      step.run();
    } catch (ApiException e) {
      if (e.code() == ErrorCode.NOT_LEADER_OR_FOLLOWER) {
        logger.debug("{} stops fetching {}: {}", name, s.tp(), e.getMessage());
        partitions.remove(s.tp(), s);
      } else {
        logger.warn("{}: {} failed: {}; retrying", name, s.tp(), e.getMessage());
        s.phase = Phase.TRUNCATING;
        delay(s);
      }
    } catch (LogStorageException e) {
      logger.error("{}: the log of {} failed; not fetching it any more", name, s.tp(), e);
      s.phase = Phase.PAUSED;
    } catch (RuntimeException e) {
      logger.warn(
          "{}: replicating {} failed: {}; truncating again in {} ms",
          name,
          s.tp(),
          e.toString(),
          config.fetchBackoffMs());
      s.phase = Phase.TRUNCATING;
      delay(s);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
