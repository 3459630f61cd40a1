package io.brook.broker.replica;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogAppendInfo;
import io.brook.broker.metrics.ReplicaMetricsListener;
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
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.Level;
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
 *       is proposed for addition, but only while it is eligible: live in this broker's metadata
 *       (Kafka's isReplicaIsrEligible, KIP-841); followers not caught up within
 *       replica.lag.time.max.ms are proposed for removal ({@link #maybeShrinkIsr}); proposals go to
 *       the controller through the {@link AlterPartitionSender}, at most one in flight, and only
 *       the controller's answer (or a later LeaderAndIsr) changes the committed ISR;
 *   <li>after a refused or failed proposal the partition does not propose again until something
 *       changed or the retry backoff passed (Kafka's handleAlterPartitionError): a refusal of the
 *       proposed ISR itself (INELIGIBLE_REPLICA and other per-partition errors) blocks that same
 *       ISR; a refusal that any proposal would get (stale leader or partition epoch,
 *       STALE_BROKER_EPOCH, no answer) blocks every proposal. A newer LeaderAndIsr, a change of the
 *       live brokers ({@link #onLiveBrokersChanged}) or a new registration of this broker (a new
 *       broker epoch) lifts the block at once.
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

  private volatile ReplicaMetricsListener metrics = ReplicaMetricsListener.NONE;

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
   * proposals go, this broker's registration epoch, who to tell when the high watermark or the ISR
   * changed outside an append or a follower fetch (an AlterPartition answer), which brokers may
   * join an ISR (live in the metadata, Kafka's isReplicaIsrEligible) and how long to wait before
   * proposing again what the controller refused.
   */
  public record Context(
      Time time,
      long replicaLagTimeMaxMs,
      AlterPartitionSender alterPartitionSender,
      LongSupplier brokerEpoch,
      Consumer<Partition> onChange,
      IntPredicate isReplicaIsrEligible,
      long alterPartitionRetryBackoffMs) {
    /** The default retry backoff: replica.fetch.backoff.ms's default. */
    public static final long DEFAULT_RETRY_BACKOFF_MS = 1000;

    public static final Context DEFAULT =
        new Context(Time.SYSTEM, 30000, AlterPartitionSender.NONE, () -> -1L, p -> {});

    /** Every broker is eligible; the default retry backoff. */
    public Context(
        Time time,
        long replicaLagTimeMaxMs,
        AlterPartitionSender alterPartitionSender,
        LongSupplier brokerEpoch,
        Consumer<Partition> onChange) {
      this(
          time,
          replicaLagTimeMaxMs,
          alterPartitionSender,
          brokerEpoch,
          onChange,
          id -> true,
          DEFAULT_RETRY_BACKOFF_MS);
    }
  }

  /**
   * What a refused or failed proposal blocks: the proposal of {@code isr} (or, when null, every
   * proposal) until {@code untilMs}, while this broker's epoch is still {@code brokerEpoch}.
   */
  private record Backoff(List<Integer> isr, long untilMs, long brokerEpoch) {
    boolean blocks(List<Integer> proposed, long now, long currentBrokerEpoch) {
      return now < untilMs
          && currentBrokerEpoch == brokerEpoch
          && (isr == null || isr.equals(proposed));
    }
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

  /** What the last refused or failed proposal blocks (null when nothing). */
  // @GuardedBy("lock")
  private Backoff backoff;

  /** The last refusal logged (error and proposed ISR), so a repeated one is not logged again. */
  // @GuardedBy("lock")
  private String lastRefusalLogged;

  /** Caught-up followers not proposed because not eligible, already logged as such. */
  // @GuardedBy("lock")
  private final Set<Integer> ineligibleLogged = new TreeSet<>();

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

  /** Who is told about this partition's traffic and committed ISR changes (the replica manager). */
  public void setMetricsListener(ReplicaMetricsListener listener) {
    this.metrics = listener == null ? ReplicaMetricsListener.NONE : listener;
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
      backoff = null; // a newer state: whatever was refused may be right now
      boolean leadershipChanged = leader != old.leader || leaderEpoch != old.leaderEpoch;
      if (leadershipChanged) {
        followers.clear();
        ineligibleLogged.clear();
        lastRefusalLogged = null;
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
    if (!context.isReplicaIsrEligible().test(replicaId)) {
      if (ineligibleLogged.add(replicaId)) {
        logger.info(
            "Broker {} caught up with {} (log end offset {}, HW {}) but is not live in the"
                + " metadata; it is not proposed for the ISR until it is",
            replicaId,
            tp,
            f.logEndOffset(),
            log.highWatermark());
      }
      return null;
    }
    ineligibleLogged.remove(replicaId);
    List<Integer> proposed = new ArrayList<>(s.isr);
    proposed.add(replicaId);
    if (backedOff(proposed)) {
      return null;
    }
    pendingExpansion = List.copyOf(proposed);
    logger.log(
        repeatsLastRefusal(proposed) ? Level.DEBUG : Level.INFO,
        "Proposing to add broker {} to the ISR of {}: {} -> {} (its log end offset {}, HW {})",
        replicaId,
        tp,
        s.isr,
        proposed,
        f.logEndOffset(),
        log.highWatermark());
    return alterRequest(s, proposed);
  }

  /** Whether a refused or failed proposal still blocks proposing {@code proposed}. */
  private boolean backedOff(List<Integer> proposed) {
    assert lock.isHeldByCurrentThread();
    Backoff b = backoff;
    if (b == null) {
      return false;
    }
    if (b.blocks(proposed, context.time().milliseconds(), context.brokerEpoch().getAsLong())) {
      return true;
    }
    if (b.isr == null) {
      backoff = null; // over for every proposal
    }
    return false;
  }

  /** Whether proposing {@code proposed} repeats the last refusal logged (then logged at DEBUG). */
  private boolean repeatsLastRefusal(List<Integer> proposed) {
    return lastRefusalLogged != null && lastRefusalLogged.endsWith(" " + proposed);
  }

  /**
   * The set of live brokers in this broker's metadata changed: a proposal refused because of
   * liveness (or for any other reason) may be accepted now, so the next follower fetch or ISR check
   * may propose it at once.
   */
  public void onLiveBrokersChanged() {
    lock.lock();
    try {
      backoff = null;
    } finally {
      lock.unlock();
    }
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
      if (backedOff(proposed)) {
        return false;
      }
      logger.log(
          repeatsLastRefusal(proposed) ? Level.DEBUG : Level.INFO,
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
    CompletableFuture<AlterPartitionResponse> f;
    try {
      f = context.alterPartitionSender().send(req);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((resp, err) -> onAlterPartitionResponse(req, resp, err));
  }

  /** Refusals that any proposal from the same (stale) state would get; LeaderAndIsr fixes them. */
  private static boolean isStaleStateError(ErrorCode code) {
    return switch (code) {
      case FENCED_LEADER_EPOCH,
          INVALID_UPDATE_VERSION,
          NEW_LEADER_ELECTED,
          UNKNOWN_TOPIC_OR_PARTITION ->
          true;
      default -> false;
    };
  }

  private void onAlterPartitionResponse(
      AlterPartitionRequest req, AlterPartitionResponse resp, Throwable err) {
    AlterPartitionItem sent = req.getTopics(0).getPartitions(0);
    List<Integer> proposed = List.copyOf(sent.getNewIsrList());
    boolean changed;
    lock.lock();
    try {
      alterInFlight = false;
      State s = state;
      List<Integer> maximalBefore = maximalIsrLocked();
      pendingExpansion = null;
      AlterPartitionResult result = err == null ? find(resp) : null;
      if (err != null) {
        refused(req, null, "failed", ErrorMapper.message(err));
      } else if (resp.getError() != ErrorCode.NONE) {
        refused(req, null, "refused", resp.getError() + " " + resp.getErrorMessage());
      } else if (result == null) {
        refused(req, null, "refused", "the answer has no result for " + tp);
      } else if (result.getError() != ErrorCode.NONE) {
        refused(
            req,
            isStaleStateError(result.getError()) ? null : proposed,
            "refused",
            result.getError() + " " + result.getErrorMessage());
      } else if (s.leader == localBrokerId
          && !s.stopped
          && sent.getLeaderEpoch() == s.leaderEpoch
          && result.getLeaderEpoch() == s.leaderEpoch
          && result.getPartitionEpoch() > s.partitionEpoch) {
        List<Integer> isr = List.copyOf(result.getIsrList());
        state =
            new State(
                s.leader, s.leaderEpoch, result.getPartitionEpoch(), isr, s.replicas, s.stopped);
        backoff = null;
        lastRefusalLogged = null;
        logger.info(
            "ISR of {} changed from {} to {} (partition epoch {})",
            tp,
            s.isr,
            isr,
            result.getPartitionEpoch());
        if (!isr.containsAll(s.isr)) {
          metrics.onIsrShrink(tp);
        }
        if (!s.isr.containsAll(isr)) {
          metrics.onIsrExpand(tp);
        }
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

  /**
   * Records a refused or failed proposal: blocks proposing {@code blockedIsr} again (every proposal
   * when null) for the retry backoff, unless the partition state moved on meanwhile (then the
   * refusal is about a state that is gone). Logs once per distinct refusal, DEBUG after that.
   */
  private void refused(
      AlterPartitionRequest req, List<Integer> blockedIsr, String how, String why) {
    assert lock.isHeldByCurrentThread();
    AlterPartitionItem sent = req.getTopics(0).getPartitions(0);
    State s = state;
    if (sent.getLeaderEpoch() != s.leaderEpoch || sent.getPartitionEpoch() != s.partitionEpoch) {
      logger.debug("AlterPartition for {} {} after a state change: {}", tp, how, why);
      return;
    }
    long backoffMs = context.alterPartitionRetryBackoffMs();
    backoff =
        new Backoff(blockedIsr, context.time().milliseconds() + backoffMs, req.getBrokerEpoch());
    String key = why.split(" ", 2)[0] + " " + List.copyOf(sent.getNewIsrList());
    boolean repeated = key.equals(lastRefusalLogged);
    lastRefusalLogged = key;
    logger.log(
        repeated ? Level.DEBUG : Level.WARN,
        "AlterPartition of {} to ISR {} {}: {}; not proposing {} again for {} ms or until the"
            + " partition state, the live brokers or this broker's registration change",
        tp,
        sent.getNewIsrList(),
        how,
        why,
        blockedIsr == null ? "any ISR change" : "it",
        backoffMs);
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
      metrics.onReplicationBytesIn(tp.topic(), info.validBytes());
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
