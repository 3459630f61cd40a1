package io.brook.broker.replica;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogAppendInfo;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterPartitionItem;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopic;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One partition replica on this broker: its log and what the controller last said about it (leader,
 * leader epoch, ISR, partition epoch), plus, while this broker leads it, the state of every
 * follower and the high watermark and ISR rules.
 *
 * <p>Leader side (Kafka's rules):
 *
 * <ul>
 *   <li>each follower's log end offset is the fetch offset of its last fetch; its last caught-up
 *       time moves to the fetch time when it fetched at or past the leader's log end offset, or to
 *       the previous fetch's time when it fetched at or past the leader's log end offset of that
 *       previous fetch ({@link #updateFollowerFetchState});
 *   <li>the high watermark is the smallest log end offset over the <em>maximal</em> ISR (the
 *       committed ISR plus a follower whose addition is being proposed), and advances only while
 *       the committed ISR has at least min.insync.replicas members;
 *   <li>a follower that reached the high watermark and the start offset of the current leader epoch
 *       is proposed for addition; followers not caught up within replica.lag.time.max.ms are
 *       proposed for removal ({@link #maybeShrinkIsr}); proposals go to the controller through the
 *       {@link AlterPartitionSender}, at most one in flight, and only the controller's answer (or a
 *       later LeaderAndIsr) changes the committed ISR.
 * </ul>
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>the leader epoch never decreases, nor the partition epoch within one leader epoch;
 *   <li>appends happen only while this broker is the leader, stamped with the current leader epoch;
 *   <li>the high watermark never decreases while leader;
 *   <li>once {@link #stop()} ran, no append is accepted.
 * </ul>
 *
 * <p>Thread rules: state changes, follower states and appends are serialized by one lock (the log
 * has one writer); readers ({@link #state()}, {@link #highWatermark()}, fetch reads of the log)
 * take no lock and see an immutable {@link State} snapshot. AlterPartition requests are sent and
 * the change listener is called without holding the lock.
 */
public final class Partition {
  private static final Logger logger = LogManager.getLogger(Partition.class);

  /** What the controller said about this partition. Immutable. */
  public record State(
      int leader,
      int leaderEpoch,
      int partitionEpoch,
      List<Integer> isr,
      List<Integer> replicas,
      boolean stopped) {
    static final State INITIAL = new State(-1, -1, -1, List.of(), List.of(), false);
  }

  /**
   * What a leader partition needs from its broker: the clock, replica.lag.time.max.ms, where ISR
   * proposals go, this broker's registration epoch, and who to tell when the high watermark or the
   * ISR changed outside an append or a follower fetch (an AlterPartition answer).
   */
  public record Context(
      Time time,
      long replicaLagTimeMaxMs,
      AlterPartitionSender alterPartitionSender,
      LongSupplier brokerEpoch,
      Consumer<Partition> onChange) {
    public static final Context DEFAULT =
        new Context(Time.SYSTEM, 30000, AlterPartitionSender.NONE, () -> -1L, p -> {});
  }

  /** One follower's state as the leader sees it. Immutable snapshot. */
  public record FollowerState(
      int brokerId,
      long logEndOffset,
      long lastCaughtUpTimeMs,
      long lastFetchLeaderLogEndOffset,
      long lastFetchTimeMs) {}

  private final TopicPartition tp;
  private final int localBrokerId;
  private final Log log;
  private final Context context;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile State state = State.INITIAL;
  private volatile int minInsyncReplicas;

  /** Bytes appended since this object was created (written under the lock); long-poll estimates. */
  private volatile long appendedBytes;

  /** Follower states while leader, by broker id (every assigned replica but this one). */
  // @GuardedBy("lock")
  private final Map<Integer, FollowerState> followers = new HashMap<>();

  /** The ISR proposed by an expansion in flight (null when none): HW counts its members too. */
  // @GuardedBy("lock")
  private List<Integer> pendingExpansion;

  /** Whether an AlterPartition request of this partition is in flight. */
  // @GuardedBy("lock")
  private boolean alterInFlight;

  /** The log end offset when this broker became leader of the current epoch. */
  // @GuardedBy("lock")
  private long leaderEpochStartOffset = -1;

  public Partition(TopicPartition tp, int localBrokerId, Log log, int minInsyncReplicas) {
    this(tp, localBrokerId, log, minInsyncReplicas, Context.DEFAULT);
  }

  public Partition(
      TopicPartition tp, int localBrokerId, Log log, int minInsyncReplicas, Context context) {
    this.tp = tp;
    this.localBrokerId = localBrokerId;
    this.log = log;
    this.minInsyncReplicas = minInsyncReplicas;
    this.context = context;
  }

  public TopicPartition topicPartition() {
    return tp;
  }

  public Log log() {
    return log;
  }

  public UUID topicId() {
    return log.topicId();
  }

  public State state() {
    return state;
  }

  public boolean isLeader() {
    State s = state;
    return !s.stopped && s.leader == localBrokerId;
  }

  public int leaderEpoch() {
    return state.leaderEpoch;
  }

  public int minInsyncReplicas() {
    return minInsyncReplicas;
  }

  public void setMinInsyncReplicas(int n) {
    this.minInsyncReplicas = n;
  }

  /** Bytes appended through this object so far. */
  public long appendedBytes() {
    return appendedBytes;
  }

  public long highWatermark() {
    return log.highWatermark();
  }

  /** The log end offset at which the current leader epoch started here (-1 when not leader). */
  public long leaderEpochStartOffset() {
    lock.lock();
    try {
      return leaderEpochStartOffset;
    } finally {
      lock.unlock();
    }
  }

  /** The committed ISR plus a follower whose addition is in flight. */
  public List<Integer> maximalIsr() {
    lock.lock();
    try {
      return maximalIsrLocked();
    } finally {
      lock.unlock();
    }
  }

  private List<Integer> maximalIsrLocked() {
    return pendingExpansion != null ? pendingExpansion : state.isr;
  }

  /** Follower states while leader (empty otherwise), by broker id. */
  public Map<Integer, FollowerState> followerStates() {
    lock.lock();
    try {
      return Map.copyOf(followers);
    } finally {
      lock.unlock();
    }
  }

  /** Whether an AlterPartition proposal is in flight (for tests). */
  public boolean alterPartitionInFlight() {
    lock.lock();
    try {
      return alterInFlight;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies a leader-and-ISR state from the controller. Returns false (and changes nothing) when it
   * is older than the current one: a lower leader epoch, or the same leader epoch with a partition
   * epoch that is not newer.
   */
  public boolean applyState(
      int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr, List<Integer> replicas) {
    lock.lock();
    try {
      State old = state;
      if (leaderEpoch < old.leaderEpoch
          || (leaderEpoch == old.leaderEpoch && partitionEpoch <= old.partitionEpoch)) {
        return false;
      }
      State next =
          new State(
              leader, leaderEpoch, partitionEpoch, List.copyOf(isr), List.copyOf(replicas), false);
      state = next;
      pendingExpansion = null;
      boolean leadershipChanged = leader != old.leader || leaderEpoch != old.leaderEpoch;
      if (leadershipChanged) {
        followers.clear();
        if (leader == localBrokerId) {
          leaderEpochStartOffset = log.logEndOffset();
          // Followers asking for the end of an older epoch get this offset (Kafka's makeLeader).
          log.assignEpochStartOffset(leaderEpoch, leaderEpochStartOffset);
          logger.info(
              "Broker {} is now the leader of {} (leader epoch {}, ISR {}, log end offset {})",
              localBrokerId,
              tp,
              leaderEpoch,
              next.isr,
              leaderEpochStartOffset);
        } else {
          leaderEpochStartOffset = -1;
          logger.info(
              "Broker {} follows broker {} for {} (leader epoch {})",
              localBrokerId,
              leader,
              tp,
              leaderEpoch);
        }
      } else if (!next.isr.equals(old.isr)) {
        logger.info("ISR of {} is now {} (partition epoch {})", tp, next.isr, partitionEpoch);
      }
      if (leader == localBrokerId) {
        syncFollowers(leadershipChanged);
        maybeIncrementHighWatermark();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes the follower map match the assignment. On a leadership change every follower starts
   * afresh (Kafka's resetReplicaState): ISR members count as caught up now, others never were.
   */
  private void syncFollowers(boolean reset) {
    assert lock.isHeldByCurrentThread();
    State s = state;
    long now = context.time().milliseconds();
    long leo = log.logEndOffset();
    followers.keySet().removeIf(id -> !s.replicas.contains(id));
    for (int id : s.replicas) {
      if (id == localBrokerId || (!reset && followers.containsKey(id))) {
        continue;
      }
      boolean inSync = s.isr.contains(id);
      followers.put(id, new FollowerState(id, -1, inSync ? now : 0, inSync ? leo : -1, now));
    }
  }

  /** Stops accepting appends (the partition is being deleted or moved away). */
  public void stop() {
    lock.lock();
    try {
      State s = state;
      state = new State(s.leader, s.leaderEpoch, s.partitionEpoch, s.isr, s.replicas, true);
    } finally {
      lock.unlock();
    }
  }

  /** The outcome of an append: what the log said, and whether the high watermark moved. */
  public record AppendResult(LogAppendInfo info, boolean highWatermarkMoved) {}

  /**
   * Appends producer batches as leader. With {@code acks == -1}, refuses before appending when the
   * ISR is smaller than min.insync.replicas. Storage exceptions (too large, corrupt, I/O) propagate
   * with nothing appended.
   */
  public AppendResult appendAsLeader(ByteBuffer records, int acks) {
    lock.lock();
    try {
      State s = state;
      if (s.stopped || s.leader != localBrokerId) {
        throw new ApiException(
            ErrorCode.NOT_LEADER_OR_FOLLOWER,
            "Broker "
                + localBrokerId
                + " is not the leader of "
                + tp
                + " (leader: "
                + s.leader
                + ")");
      }
      int minIsr = minInsyncReplicas;
      if (acks == -1 && s.isr.size() < minIsr) {
        throw new ApiException(
            ErrorCode.NOT_ENOUGH_REPLICAS,
            "The ISR of "
                + tp
                + " has "
                + s.isr.size()
                + " replica(s) "
                + s.isr
                + ", fewer than min.insync.replicas="
                + minIsr
                + "; nothing was appended");
      }
      LogAppendInfo info = log.appendAsLeader(records, s.leaderEpoch);
      appendedBytes += info.validBytes();
      return new AppendResult(info, maybeIncrementHighWatermark());
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ leader: followers and ISR

  /**
   * Records a follower's fetch at {@code fetchOffset} (its log end offset) at {@code fetchTimeMs},
   * by Kafka's caught-up rule; then may propose adding it to the ISR and may advance the high
   * watermark. Returns true when the high watermark moved.
   *
   * @throws ApiException NOT_LEADER_OR_FOLLOWER when this broker does not lead the partition or
   *     {@code replicaId} is not one of its replicas
   */
  public boolean updateFollowerFetchState(int replicaId, long fetchOffset, long fetchTimeMs) {
    AlterPartitionRequest toSend = null;
    boolean moved;
    lock.lock();
    try {
      State s = state;
      if (s.stopped || s.leader != localBrokerId) {
        throw new ApiException(
            ErrorCode.NOT_LEADER_OR_FOLLOWER,
            "Broker " + localBrokerId + " is not the leader of " + tp);
      }
      FollowerState f = followers.get(replicaId);
      if (f == null) {
        throw new ApiException(
            ErrorCode.NOT_LEADER_OR_FOLLOWER,
            "Broker "
                + replicaId
                + " is not a replica of "
                + tp
                + " (replicas: "
                + s.replicas
                + ")");
      }
      long leaderEnd = log.logEndOffset();
      long caughtUp = f.lastCaughtUpTimeMs();
      if (fetchOffset >= leaderEnd) {
        caughtUp = Math.max(caughtUp, fetchTimeMs);
      } else if (fetchOffset >= f.lastFetchLeaderLogEndOffset()) {
        caughtUp = Math.max(caughtUp, f.lastFetchTimeMs());
      }
      followers.put(
          replicaId, new FollowerState(replicaId, fetchOffset, caughtUp, leaderEnd, fetchTimeMs));
      toSend = maybeExpandIsr(replicaId);
      moved = maybeIncrementHighWatermark();
    } finally {
      lock.unlock();
    }
    send(toSend);
    return moved;
  }

  /** A proposal adding {@code replicaId} when it caught up (null when none is due). */
  private AlterPartitionRequest maybeExpandIsr(int replicaId) {
    assert lock.isHeldByCurrentThread();
    State s = state;
    if (alterInFlight || s.isr.contains(replicaId)) {
      return null;
    }
    FollowerState f = followers.get(replicaId);
    if (f == null
        || f.logEndOffset() < log.highWatermark()
        || f.logEndOffset() < leaderEpochStartOffset) {
      return null;
    }
    List<Integer> proposed = new ArrayList<>(s.isr);
    proposed.add(replicaId);
    pendingExpansion = List.copyOf(proposed);
    logger.info(
        "Proposing to add broker {} to the ISR of {}: {} -> {} (its log end offset {}, HW {})",
        replicaId,
        tp,
        s.isr,
        proposed,
        f.logEndOffset(),
        log.highWatermark());
    return alterRequest(s, proposed);
  }

  /**
   * Proposes removing the ISR members that have not caught up within replica.lag.time.max.ms (no
   * effect when not leader or a proposal is in flight). Called every replica.lag.time.max.ms / 2.
   * Returns true when a proposal was sent.
   */
  public boolean maybeShrinkIsr() {
    AlterPartitionRequest toSend = null;
    lock.lock();
    try {
      State s = state;
      if (s.stopped || s.leader != localBrokerId || alterInFlight) {
        return false;
      }
      long now = context.time().milliseconds();
      long leo = log.logEndOffset();
      Set<Integer> outOfSync = new LinkedHashSet<>();
      for (int id : s.isr) {
        if (id == localBrokerId) {
          continue;
        }
        FollowerState f = followers.get(id);
        if (f == null
            || (f.logEndOffset() != leo
                && now - f.lastCaughtUpTimeMs() > context.replicaLagTimeMaxMs())) {
          outOfSync.add(id);
        }
      }
      if (outOfSync.isEmpty()) {
        return false;
      }
      List<Integer> proposed = new ArrayList<>(s.isr);
      proposed.removeAll(outOfSync);
      logger.info(
          "Proposing to shrink the ISR of {}: {} -> {} (out of sync: {}, not caught up within"
              + " replica.lag.time.max.ms={}; leader log end offset {}, HW {})",
          tp,
          s.isr,
          proposed,
          outOfSync,
          context.replicaLagTimeMaxMs(),
          leo,
          log.highWatermark());
      toSend = alterRequest(s, proposed);
    } finally {
      lock.unlock();
    }
    send(toSend);
    return true;
  }

  private AlterPartitionRequest alterRequest(State s, List<Integer> proposed) {
    assert lock.isHeldByCurrentThread();
    alterInFlight = true;
    return AlterPartitionRequest.newBuilder()
        .setBrokerId(localBrokerId)
        .setBrokerEpoch(context.brokerEpoch().getAsLong())
        .addTopics(
            AlterPartitionTopic.newBuilder()
                .setTopic(tp.topic())
                .setTopicId(log.topicId().toString())
                .addPartitions(
                    AlterPartitionItem.newBuilder()
                        .setPartition(tp.partition())
                        .setLeaderEpoch(s.leaderEpoch)
                        .setPartitionEpoch(s.partitionEpoch)
                        .addAllNewIsr(proposed)))
        .build();
  }

  private void send(AlterPartitionRequest req) {
    if (req == null) {
      return;
    }
    int epoch = req.getTopics(0).getPartitions(0).getLeaderEpoch();
    CompletableFuture<AlterPartitionResponse> f;
    try {
      f = context.alterPartitionSender().send(req);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((resp, err) -> onAlterPartitionResponse(epoch, resp, err));
  }

  private void onAlterPartitionResponse(
      int sentLeaderEpoch, AlterPartitionResponse resp, Throwable err) {
    boolean changed;
    lock.lock();
    try {
      alterInFlight = false;
      State s = state;
      List<Integer> maximalBefore = maximalIsrLocked();
      pendingExpansion = null;
      AlterPartitionResult result = err == null ? find(resp) : null;
      if (err != null) {
        logger.warn(
            "AlterPartition for {} failed: {}; will propose again", tp, ErrorMapper.message(err));
      } else if (resp.getError() != ErrorCode.NONE) {
        logger.warn(
            "AlterPartition for {} refused: {} {}", tp, resp.getError(), resp.getErrorMessage());
      } else if (result == null) {
        logger.warn("AlterPartition answer has no result for {}", tp);
      } else if (result.getError() != ErrorCode.NONE) {
        logger.warn(
            "AlterPartition for {} refused: {} {}",
            tp,
            result.getError(),
            result.getErrorMessage());
      } else if (s.leader == localBrokerId
          && !s.stopped
          && sentLeaderEpoch == s.leaderEpoch
          && result.getLeaderEpoch() == s.leaderEpoch
          && result.getPartitionEpoch() > s.partitionEpoch) {
        List<Integer> isr = List.copyOf(result.getIsrList());
        state =
            new State(
                s.leader, s.leaderEpoch, result.getPartitionEpoch(), isr, s.replicas, s.stopped);
        logger.info(
            "ISR of {} changed from {} to {} (partition epoch {})",
            tp,
            s.isr,
            isr,
            result.getPartitionEpoch());
      }
      changed = !maximalIsrLocked().equals(maximalBefore) || state != s;
      if (isLeader()) {
        changed |= maybeIncrementHighWatermark();
      }
    } finally {
      lock.unlock();
    }
    if (changed) {
      context.onChange().accept(this);
    }
  }

  private AlterPartitionResult find(AlterPartitionResponse resp) {
    for (AlterPartitionTopicResult t : resp.getTopicsList()) {
      if (!t.getTopic().equals(tp.topic())) {
        continue;
      }
      for (AlterPartitionResult r : t.getPartitionsList()) {
        if (r.getPartition() == tp.partition()) {
          return r;
        }
      }
    }
    return null;
  }

  /**
   * Advances the high watermark to the smallest log end offset over the maximal ISR, if that is
   * higher, and only while the committed ISR has at least min.insync.replicas members. Followers
   * whose log end offset is not known yet hold it back. Returns true when it moved.
   */
  private boolean maybeIncrementHighWatermark() {
    assert lock.isHeldByCurrentThread();
    State s = state;
    if (s.isr.size() < minInsyncReplicas) {
      return false;
    }
    long newHw = log.logEndOffset();
    for (int replica : maximalIsrLocked()) {
      if (replica != localBrokerId) {
        FollowerState f = followers.get(replica);
        newHw = Math.min(newHw, f == null ? -1 : f.logEndOffset());
      }
    }
    long oldHw = log.highWatermark();
    if (newHw > oldHw) {
      log.updateHighWatermark(newHw);
      return log.highWatermark() > oldHw;
    }
    return false;
  }

  @Override
  public String toString() {
    return "Partition(" + tp + ", " + state + ")";
  }

  // ==================================================================================
  // Follower side (owned by the follower part; driven by replica/fetcher). Every method takes the
  // partition lock and refuses with NOT_LEADER_OR_FOLLOWER once the partition is no longer a
  // follower of {@code leaderEpoch} (it became leader, moved to a newer epoch, or was stopped), so
  // a fetcher that lost the race with a LeaderAndIsr can never write into the log afterwards.
  // ==================================================================================

  /** Whether this replica is (still) a follower of a live leader under {@code leaderEpoch}. */
  public boolean isFollowerOf(int leaderEpoch) {
    State s = state;
    return !s.stopped && s.leader >= 0 && s.leader != localBrokerId && s.leaderEpoch == leaderEpoch;
  }

  // @GuardedBy("lock")
  private void ensureFollowerOf(int leaderEpoch, String what) {
    assert lock.isHeldByCurrentThread();
    if (!isFollowerOf(leaderEpoch)) {
      State s = state;
      throw new ApiException(
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
          "Broker "
              + localBrokerId
              + " refuses to "
              + what
              + " "
              + tp
              + " as follower of leader epoch "
              + leaderEpoch
              + ": the partition is now "
              + s);
    }
  }

  /**
   * Appends batches fetched from the leader (offsets and epochs as the leader stamped them).
   *
   * @throws ApiException NOT_LEADER_OR_FOLLOWER when no longer a follower of {@code leaderEpoch}
   */
  public LogAppendInfo appendAsFollower(ByteBuffer records, int leaderEpoch) {
    lock.lock();
    try {
      ensureFollowerOf(leaderEpoch, "append to");
      LogAppendInfo info = log.appendAsFollower(records);
      appendedBytes += info.validBytes();
      return info;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Truncates the log to {@code offset} (a batch boundary at or below it).
   *
   * @throws ApiException NOT_LEADER_OR_FOLLOWER when no longer a follower of {@code leaderEpoch}
   */
  public void truncateTo(long offset, int leaderEpoch) {
    lock.lock();
    try {
      ensureFollowerOf(leaderEpoch, "truncate");
      log.truncateTo(offset);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Empties the log and starts it at {@code offset} (the leader's log start is past this log's
   * end).
   *
   * @throws ApiException NOT_LEADER_OR_FOLLOWER when no longer a follower of {@code leaderEpoch}
   */
  public void truncateFullyAndStartAt(long offset, int leaderEpoch) {
    lock.lock();
    try {
      ensureFollowerOf(leaderEpoch, "truncate fully");
      log.truncateFullyAndStartAt(offset);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets the follower's high watermark to min(leader's high watermark, log end offset).
   *
   * @throws ApiException NOT_LEADER_OR_FOLLOWER when no longer a follower of {@code leaderEpoch}
   */
  public void updateFollowerHighWatermark(long leaderHw, int leaderEpoch) {
    lock.lock();
    try {
      ensureFollowerOf(leaderEpoch, "update the high watermark of");
      log.updateHighWatermark(Math.min(leaderHw, log.logEndOffset()));
    } finally {
      lock.unlock();
    }
  }

  // ============================== end of the follower side ==============================
}
