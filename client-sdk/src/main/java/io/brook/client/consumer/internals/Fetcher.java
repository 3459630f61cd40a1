package io.brook.client.consumer.internals;

import com.google.protobuf.ByteString;
import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.OffsetOutOfRangeException;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ErrorMapping;
import io.brook.client.internals.Metadata;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.Errors;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopic;
import io.brook.protocol.v1.FetchTopicResponse;
import io.brook.protocol.v1.IsolationLevel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Keeps fetches in flight for the consumer's assigned partitions and buffers their responses.
 *
 * <p>Pipelining: each partition has a consumed {@code position} (advanced by the polling thread)
 * and a {@code fetchOffset} (the end of the data already fetched). A partition can be fetched again
 * as soon as its previous response arrived, while up to {@link #MAX_BUFFERED_PER_PARTITION}
 * responses wait to be drained, so poll() mostly returns data fetched in the background. At most
 * one Fetch is in flight per broker; when one returns, the next is sent from the response callback.
 *
 * <p>Seeks bump the partition's {@code epoch}; data fetched under an older epoch is discarded.
 *
 * <p>Thread-safe: all state is guarded by {@code this}; gRPC callbacks and the polling thread
 * synchronize on it, and waiters use wait/notifyAll.
 */
public final class Fetcher {
  private static final Logger LOG = LogManager.getLogger(Fetcher.class);
  static final int MAX_BUFFERED_PER_PARTITION = 2;

  private final BrokerChannels channels;
  private final Metadata metadata;
  private final int minBytes;
  private final int maxBytes;
  private final int maxWaitMs;
  private final int partitionMaxBytes;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;
  private final IsolationLevel isolation;
  private final Time time;

  private final Map<TopicPartition, PartitionState> states = new LinkedHashMap<>();
  private final ArrayDeque<CompletedFetch> completed = new ArrayDeque<>();
  private final Set<Integer> nodesInFlight = new HashSet<>();
  private final Map<Integer, Long> nodeBackoffUntil = new HashMap<>();
  private boolean closed;
  private boolean wakeup;

  public Fetcher(
      BrokerChannels channels,
      Metadata metadata,
      int minBytes,
      int maxBytes,
      int maxWaitMs,
      int partitionMaxBytes,
      int requestTimeoutMs,
      long retryBackoffMs,
      boolean readCommitted,
      Time time) {
    this.channels = channels;
    this.metadata = metadata;
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    this.maxWaitMs = maxWaitMs;
    this.partitionMaxBytes = partitionMaxBytes;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
    this.isolation =
        readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    this.time = time;
  }

  /**
   * The last partition epoch handed out. A fetch in flight when its partition was revoked must not
   * be taken for the partition assigned again: a per-state counter starting at 0 would match it,
   * and its records (fetched ahead of the committed offset the new assignment starts from) would
   * skip the records in between.
   */
  private int lastEpoch;

  /** Where a partition stands. Guarded by the fetcher. */
  public static final class PartitionState {
    /** Next offset poll() returns; -1 while unknown (a reset is pending). */
    public long position = -1;

    /** Next offset to fetch. */
    long fetchOffset = -1;

    int epoch;
    boolean inFlight;

    /** After a retriable partition error: no fetch before this time (retry.backoff.ms). */
    long retryAtMs;

    /**
     * Changed at every seek or reset, and unique within the fetcher (also across a partition that
     * is unassigned and assigned again, as in an eager rebalance): data fetched under another epoch
     * is dropped.
     */
    public int epoch() {
      return epoch;
    }

    int buffered;

    /** Pending reset: -2 earliest, -1 latest, or null when none. */
    public Long resetTo;
  }

  /** One partition's data (or error) from one fetch response. */
  public record CompletedFetch(
      TopicPartition tp, int epoch, ByteBuffer records, long fetchOffset, BrookException error) {}

  // ------------------------------------------------------------------ assignment and positions

  public synchronized void assign(Set<TopicPartition> partitions, Long defaultResetTo) {
    states.keySet().retainAll(partitions);
    for (TopicPartition tp : partitions) {
      states.computeIfAbsent(
          tp,
          k -> {
            PartitionState s = new PartitionState();
            s.epoch = ++lastEpoch;
            s.resetTo = defaultResetTo;
            return s;
          });
    }
    completed.removeIf(c -> !states.containsKey(c.tp));
  }

  public synchronized Set<TopicPartition> assignment() {
    return new HashSet<>(states.keySet());
  }

  public synchronized PartitionState state(TopicPartition tp) {
    PartitionState s = states.get(tp);
    if (s == null) {
      throw new IllegalStateException("No current assignment for partition " + tp);
    }
    return s;
  }

  /** Moves {@code tp} to {@code offset}, discarding anything fetched for it. */
  public synchronized void seek(TopicPartition tp, long offset) {
    PartitionState s = state(tp);
    s.position = offset;
    s.fetchOffset = offset;
    s.resetTo = null;
    invalidate(s);
  }

  /** Asks for a lazy reset of {@code tp} to earliest (-2) or latest (-1). */
  public synchronized void requestReset(TopicPartition tp, long resetTo) {
    PartitionState s = state(tp);
    s.position = -1;
    s.resetTo = resetTo;
    invalidate(s);
  }

  private void invalidate(PartitionState s) {
    s.epoch = ++lastEpoch;
    s.buffered = 0;
  }

  /** Partitions with a pending reset, and their target (-2 / -1). */
  public synchronized Map<TopicPartition, Long> pendingResets() {
    Map<TopicPartition, Long> out = new HashMap<>();
    states.forEach(
        (tp, s) -> {
          if (s.position < 0 && s.resetTo != null) {
            out.put(tp, s.resetTo);
          }
        });
    return out;
  }

  public synchronized void completeReset(TopicPartition tp, long resetTo, long offset) {
    PartitionState s = states.get(tp);
    if (s != null && s.position < 0 && resetTo == s.resetTo) {
      s.position = offset;
      s.fetchOffset = offset;
      s.resetTo = null;
      invalidate(s);
    }
  }

  // ------------------------------------------------------------------ fetching

  /** Sends a Fetch to every leader that has fetchable partitions and no fetch in flight. */
  public synchronized void sendFetches() {
    if (closed) {
      return;
    }
    Cluster cluster = metadata.fetch();
    long now = time.hiResClockMs();
    Map<Node, Map<TopicPartition, PartitionState>> byNode = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, PartitionState> e : states.entrySet()) {
      PartitionState s = e.getValue();
      if (s.position < 0
          || s.inFlight
          || s.buffered >= MAX_BUFFERED_PER_PARTITION
          || s.retryAtMs > now) {
        continue;
      }
      Node leader = cluster.leaderFor(e.getKey());
      if (leader == null) {
        metadata.requestUpdate();
        continue;
      }
      if (nodesInFlight.contains(leader.id())
          || nodeBackoffUntil.getOrDefault(leader.id(), 0L) > now) {
        continue;
      }
      byNode.computeIfAbsent(leader, n -> new LinkedHashMap<>()).put(e.getKey(), s);
    }
    for (Map.Entry<Node, Map<TopicPartition, PartitionState>> e : byNode.entrySet()) {
      send(cluster, e.getKey(), e.getValue());
    }
  }

  private void send(Cluster cluster, Node node, Map<TopicPartition, PartitionState> parts) {
    Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
    Map<TopicPartition, int[]> requested = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionState> e : parts.entrySet()) {
      TopicPartition tp = e.getKey();
      PartitionState s = e.getValue();
      s.inFlight = true;
      requested.put(tp, new int[] {s.epoch});
      topics
          .computeIfAbsent(tp.topic(), t -> FetchTopic.newBuilder().setTopic(t))
          .addPartitions(
              FetchPartition.newBuilder()
                  .setPartition(tp.partition())
                  .setFetchOffset(s.fetchOffset)
                  .setPartitionMaxBytes(partitionMaxBytes)
                  // the broker fences a fetch from a deposed leader (FENCED_LEADER_EPOCH)
                  .setCurrentLeaderEpoch(cluster.leaderEpochFor(tp)));
    }
    FetchRequest.Builder req =
        FetchRequest.newBuilder()
            .setReplicaId(-1)
            .setMaxWaitMs(maxWaitMs)
            .setMinBytes(minBytes)
            .setMaxBytes(maxBytes)
            .setIsolationLevel(isolation);
    topics.values().forEach(req::addTopics);
    nodesInFlight.add(node.id());
    Map<TopicPartition, Long> offsets = new HashMap<>();
    parts.forEach((tp, s) -> offsets.put(tp, s.fetchOffset));
    try {
      channels
          .asyncStub(node)
          .withDeadlineAfter((long) maxWaitMs + requestTimeoutMs, TimeUnit.MILLISECONDS)
          .fetch(
              req.build(),
              new StreamObserver<>() {
                @Override
                public void onNext(FetchResponse r) {
                  handleResponse(node, requested, offsets, r);
                }

                @Override
                public void onError(Throwable t) {
                  handleFailure(node, requested, t);
                }

                @Override
                public void onCompleted() {}
              });
    } catch (RuntimeException ex) {
      handleFailure(node, requested, ex);
    }
  }

  private synchronized void handleResponse(
      Node node,
      Map<TopicPartition, int[]> requested,
      Map<TopicPartition, Long> offsets,
      FetchResponse r) {
    nodesInFlight.remove(node.id());
    clearInFlight(requested);
    if (r.getError() != ErrorCode.NONE) {
      LOG.debug("Fetch from {} failed: {} {}", node, r.getError(), r.getErrorMessage());
      metadata.requestUpdate();
      nodeBackoffUntil.put(node.id(), time.hiResClockMs() + retryBackoffMs);
    }
    for (FetchTopicResponse t : r.getTopicsList()) {
      for (FetchPartitionResponse p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), p.getPartition());
        PartitionState s = states.get(tp);
        int[] epoch = requested.get(tp);
        if (s == null || epoch == null || epoch[0] != s.epoch) {
          continue; // unassigned or seeked meanwhile
        }
        handlePartition(tp, s, p, offsets.get(tp));
      }
    }
    sendFetches();
    notifyAll();
  }

  private void handlePartition(
      TopicPartition tp, PartitionState s, FetchPartitionResponse p, long fetchOffset) {
    ErrorCode code = p.getError();
    if (code == ErrorCode.NONE) {
      ByteString bytes = p.getRecords();
      if (bytes.isEmpty()) {
        return;
      }
      ByteBuffer buf = bytes.asReadOnlyByteBuffer();
      long next = nextFetchOffset(buf);
      if (next > s.fetchOffset) {
        s.fetchOffset = next;
      }
      s.buffered++;
      completed.add(new CompletedFetch(tp, s.epoch, buf, fetchOffset, null));
    } else if (code == ErrorCode.OFFSET_OUT_OF_RANGE) {
      BrookException e =
          new OffsetOutOfRangeException(
              "Fetch position FetchPosition{offset="
                  + fetchOffset
                  + "} is out of range for partition "
                  + tp);
      s.buffered++;
      completed.add(new CompletedFetch(tp, s.epoch, null, fetchOffset, e));
    } else if (Errors.isRetriable(code) && code != ErrorCode.CORRUPT_MESSAGE) {
      // NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, LEADER_NOT_AVAILABLE:
      // find the new leader; OFFSET_NOT_AVAILABLE (a new leader's HW is catching up): same leader.
      // Either way wait retry.backoff.ms, so that an unchanged answer is not asked for in a loop.
      if (Errors.invalidatesMetadata(code)) {
        metadata.requestUpdate();
      }
      s.retryAtMs = time.hiResClockMs() + retryBackoffMs;
      LOG.debug("Fetch of {} failed with {}; retrying after {} ms", tp, code, retryBackoffMs);
    } else {
      s.buffered++;
      completed.add(
          new CompletedFetch(
              tp, s.epoch, null, fetchOffset, ErrorMapping.exception(code, p.getErrorMessage())));
    }
  }

  /** The offset after the last complete batch in {@code buf} (header reads only). */
  static long nextFetchOffset(ByteBuffer buf) {
    long next = -1;
    int pos = buf.position();
    while (true) {
      int size = RecordBatch.sizeAt(buf, pos);
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD || pos + size > buf.limit()) {
        break;
      }
      long base = buf.getLong(pos + RecordBatch.BASE_OFFSET_OFFSET);
      int lastDelta = buf.getInt(pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
      next = base + lastDelta + 1;
      pos += size;
    }
    return next;
  }

  private synchronized void handleFailure(
      Node node, Map<TopicPartition, int[]> requested, Throwable t) {
    nodesInFlight.remove(node.id());
    clearInFlight(requested);
    if (!closed) {
      LOG.debug("Fetch from {} failed: {}", node, t.toString());
      metadata.requestUpdate();
      nodeBackoffUntil.put(node.id(), time.hiResClockMs() + retryBackoffMs);
    }
    notifyAll();
  }

  private void clearInFlight(Map<TopicPartition, int[]> requested) {
    for (TopicPartition tp : requested.keySet()) {
      PartitionState s = states.get(tp);
      if (s != null) {
        s.inFlight = false;
      }
    }
  }

  /**
   * The next buffered fetch whose epoch is current (stale ones are dropped), or null. The caller
   * owns it afterwards.
   */
  public synchronized CompletedFetch nextCompleted() {
    CompletedFetch c;
    while ((c = completed.poll()) != null) {
      PartitionState s = states.get(c.tp);
      if (s != null && s.epoch == c.epoch) {
        s.buffered--;
        return c;
      }
    }
    return null;
  }

  /** Is the data of {@code c} still wanted (no seek since)? */
  public synchronized boolean isCurrent(CompletedFetch c) {
    PartitionState s = states.get(c.tp);
    return s != null && s.epoch == c.epoch;
  }

  /** Advances the consumed position of {@code tp} if the epoch is still current. */
  public synchronized void updatePosition(TopicPartition tp, int epoch, long position) {
    PartitionState s = states.get(tp);
    if (s != null && s.epoch == epoch) {
      s.position = position;
    }
  }

  /** After a corrupt batch: fetch again from the current position. */
  public synchronized void refetchFromPosition(TopicPartition tp) {
    PartitionState s = states.get(tp);
    if (s != null) {
      s.fetchOffset = s.position;
      invalidate(s);
    }
  }

  /** Waits until a fetch completes, a wakeup, or {@code ms} passes. */
  public synchronized void awaitData(long ms) throws InterruptedException {
    if (completed.isEmpty() && !wakeup && ms > 0) {
      wait(ms);
    }
  }

  public synchronized boolean hasCompleted() {
    return !completed.isEmpty();
  }

  public synchronized void wakeup() {
    wakeup = true;
    notifyAll();
  }

  /** True (once) when {@link #wakeup} was called since the last check. */
  public synchronized boolean consumeWakeup() {
    boolean w = wakeup;
    wakeup = false;
    return w;
  }

  public synchronized void close() {
    closed = true;
    completed.clear();
    notifyAll();
  }
}
