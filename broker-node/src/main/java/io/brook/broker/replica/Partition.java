package io.brook.broker.replica;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogAppendInfo;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One partition replica on this broker: its log and what the controller last said about it (leader,
 * leader epoch, ISR, partition epoch), plus the high watermark rule.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>the leader epoch never decreases;
 *   <li>appends happen only while this broker is the leader, stamped with the current leader epoch;
 *   <li>the high watermark never decreases while leader, and is the smallest log end offset among
 *       ISR members (for a single-replica partition, the leader's log end offset);
 *   <li>once {@link #stop()} ran, no append is accepted.
 * </ul>
 *
 * <p>Thread rules: state changes and appends are serialized by one lock (the log has one writer);
 * readers ({@link #state()}, {@link #highWatermark()}, fetch reads of the log) take no lock and see
 * an immutable {@link State} snapshot.
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

  private final TopicPartition tp;
  private final int localBrokerId;
  private final Log log;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile State state = State.INITIAL;
  private volatile int minInsyncReplicas;

  /** Bytes appended since this object was created (written under the lock); long-poll estimates. */
  private volatile long appendedBytes;

  /** Log end offsets reported by followers (filled in by replication, a later issue). */
  // @GuardedBy("lock")
  private final Map<Integer, Long> followerEndOffsets = new HashMap<>();

  public Partition(TopicPartition tp, int localBrokerId, Log log, int minInsyncReplicas) {
    this.tp = tp;
    this.localBrokerId = localBrokerId;
    this.log = log;
    this.minInsyncReplicas = minInsyncReplicas;
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
      if (leader != old.leader || leaderEpoch != old.leaderEpoch) {
        if (leader == localBrokerId) {
          followerEndOffsets.clear();
          logger.info("Leader for {} is now broker {} (leader epoch {})", tp, leader, leaderEpoch);
        } else {
          logger.info(
              "Broker {} follows broker {} for {} (leader epoch {})",
              localBrokerId,
              leader,
              tp,
              leaderEpoch);
        }
      }
      if (!next.isr.equals(old.isr)) {
        logger.info("ISR of {} changed to {}", tp, next.isr);
      }
      if (leader == localBrokerId) {
        maybeIncrementHighWatermark();
      }
      return true;
    } finally {
      lock.unlock();
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

  /**
   * Advances the high watermark to the smallest log end offset among the ISR, if that is higher.
   * Followers whose log end offset is not known yet hold it back. Returns true when it moved.
   */
  private boolean maybeIncrementHighWatermark() {
    assert lock.isHeldByCurrentThread();
    State s = state;
    long newHw = log.logEndOffset();
    for (int replica : s.isr) {
      if (replica != localBrokerId) {
        Long leo = followerEndOffsets.get(replica);
        newHw = Math.min(newHw, leo == null ? log.highWatermark() : leo);
      }
    }
    if (newHw > log.highWatermark()) {
      log.updateHighWatermark(newHw);
      return true;
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
