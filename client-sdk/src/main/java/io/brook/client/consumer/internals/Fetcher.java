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
import io.brook.protocol.AliasingMarshaller;
import io.brook.protocol.Errors;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopic;
import io.brook.protocol.v1.FetchTopicResponse;
import io.brook.protocol.v1.IsolationLevel;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
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
 * <p>Fetches go over one long-lived FetchStream per broker (opened on first use, dropped on any
 * failure and opened again after retry.backoff.ms), so a consumer that is caught up and polls often
 * pays no new HTTP/2 stream, headers or trailers per fetch. A request unanswered for its max wait
 * plus request.timeout.ms cancels its stream, as the deadline of a unary call would.
 *
 * <p>Seeks bump the partition's {@code epoch}; data fetched under an older epoch is discarded.
 *
 * <p>Thread-safe: all state is guarded by {@code this}; gRPC callbacks and the polling thread
 * synchronize on it, and waiters use wait/notifyAll.
 */
public final class Fetcher {
  private static final Logger LOG = LogManager.getLogger(Fetcher.class);
  static final int MAX_BUFFERED_PER_PARTITION = 2;

  /** FetchStream, with the records of each response parsed without a copy. */
  private static final MethodDescriptor<FetchRequest, FetchResponse> FETCH_STREAM =
      AliasingMarshaller.aliasingResponses(
          BrokerServiceGrpc.getFetchStreamMethod(), FetchResponse.getDefaultInstance());

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
  private final Map<Integer, NodeStream> streams = new HashMap<>();
  private long lastRequestId;
  private int streamsOpened;
  private boolean closed;
  private boolean wakeup;
  private boolean polling;

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
    long now = time.hiResClockMs();
    expireRequests(now);
    Cluster cluster = metadata.fetch();
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
    Map<TopicPartition, Integer> epochs = new HashMap<>();
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionState> e : parts.entrySet()) {
      TopicPartition tp = e.getKey();
      PartitionState s = e.getValue();
      s.inFlight = true;
      epochs.put(tp, s.epoch);
      offsets.put(tp, s.fetchOffset);
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
            .setIsolationLevel(isolation)
            .setRequestId(++lastRequestId);
    topics.values().forEach(req::addTopics);
    nodesInFlight.add(node.id());
    NodeStream stream = streams.get(node.id());
    if (stream != null && !stream.node.equals(node)) {
      stream.cancel("the broker's address changed");
      stream = null;
    }
    try {
      if (stream == null) {
        stream = new NodeStream(node);
        streams.put(node.id(), stream);
        streamsOpened++;
        ClientCalls.asyncBidiStreamingCall(
            channels.channel(node).newCall(FETCH_STREAM, CallOptions.DEFAULT), stream);
        if (streams.get(node.id()) != stream) {
          // Failed inside the call that opened it (a channel that knows the broker is down fails
          // new calls at once, and callbacks run on the calling thread): nothing was sent.
          nodesInFlight.remove(node.id());
          clearInFlight(epochs);
          return;
        }
      }
      // set before sending: a send that fails at once reports it inline, and the failure must
      // find the request to give it up
      stream.inFlight = new InFlight(req.getRequestId(), epochs, offsets, time.hiResClockMs());
      stream.requests.onNext(req.build());
    } catch (RuntimeException ex) {
      if (stream != null && streams.get(node.id()) == stream) {
        streamFailed(stream, ex);
      } else {
        nodesInFlight.remove(node.id());
        clearInFlight(epochs);
      }
    }
  }

  /** FetchStreams opened so far (tests). */
  synchronized int streamsOpened() {
    return streamsOpened;
  }

  /** The request a stream waits an answer for. */
  private record InFlight(
      long requestId,
      Map<TopicPartition, Integer> epochs,
      Map<TopicPartition, Long> offsets,
      long sentAtMs) {}

  /**
   * The FetchStream to one broker: at most one request in flight ({@code nodesInFlight}), answered
   * in order. A stream that fails, times out or is replaced is dropped from {@code streams} at
   * once; callbacks of a dropped stream change nothing.
   */
  private final class NodeStream implements ClientResponseObserver<FetchRequest, FetchResponse> {
    final Node node;
    ClientCallStreamObserver<FetchRequest> requests;
    InFlight inFlight;

    NodeStream(Node node) {
      this.node = node;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<FetchRequest> r) {
      requests = r;
    }

    @Override
    public void onNext(FetchResponse r) {
      handleResponse(this, r);
    }

    @Override
    public void onError(Throwable t) {
      synchronized (Fetcher.this) {
        streamFailed(this, t);
      }
    }

    @Override
    public void onCompleted() {
      synchronized (Fetcher.this) {
        streamFailed(this, new IllegalStateException("the broker ended the fetch stream"));
      }
    }

    void cancel(String why) {
      if (requests != null) {
        requests.cancel(why, null);
      }
    }
  }

  private synchronized void handleResponse(NodeStream stream, FetchResponse r) {
    InFlight f = stream.inFlight;
    if (streams.get(stream.node.id()) != stream || f == null || f.requestId() != r.getRequestId()) {
      return; // a dropped stream, or an answer nobody waits for any more
    }
    stream.inFlight = null;
    Node node = stream.node;
    nodesInFlight.remove(node.id());
    clearInFlight(f.epochs());
    if (r.getError() != ErrorCode.NONE) {
      LOG.debug("Fetch from {} failed: {} {}", node, r.getError(), r.getErrorMessage());
      metadata.requestUpdate();
      nodeBackoffUntil.put(node.id(), time.hiResClockMs() + retryBackoffMs);
    }
    int before = completed.size();
    for (FetchTopicResponse t : r.getTopicsList()) {
      for (FetchPartitionResponse p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), p.getPartition());
        PartitionState s = states.get(tp);
        Integer epoch = f.epochs().get(tp);
        if (s == null || epoch == null || epoch != s.epoch) {
          continue; // unassigned or seeked meanwhile
        }
        handlePartition(tp, s, p, f.offsets().get(tp));
      }
    }
    if (polling || completed.size() > before) {
      sendFetches();
    }
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

  /**
   * Drops {@code stream} (if it is still the node's) after a failure: its request in flight is
   * given up, and the node is fetched from again after retry.backoff.ms with a new stream.
   */
  private void streamFailed(NodeStream stream, Throwable t) {
    if (streams.get(stream.node.id()) != stream) {
      return;
    }
    streams.remove(stream.node.id());
    InFlight f = stream.inFlight;
    stream.inFlight = null;
    if (f != null) {
      nodesInFlight.remove(stream.node.id());
      clearInFlight(f.epochs());
    }
    if (!closed) {
      LOG.debug("Fetch stream to {} failed: {}", stream.node, t.toString());
      metadata.requestUpdate();
      nodeBackoffUntil.put(stream.node.id(), time.hiResClockMs() + retryBackoffMs);
    }
    stream.cancel("fetch stream dropped");
    notifyAll();
  }

  /**
   * Gives up requests unanswered for longer than their max wait plus request.timeout.ms (the
   * deadline a unary call would have had): their streams are cancelled.
   */
  private void expireRequests(long now) {
    for (NodeStream stream : new ArrayList<>(streams.values())) {
      InFlight f = stream.inFlight;
      if (f != null && now - f.sentAtMs() > (long) maxWaitMs + requestTimeoutMs) {
        streamFailed(
            stream,
            new TimeoutException(
                "no answer to a fetch from "
                    + stream.node
                    + " within "
                    + ((long) maxWaitMs + requestTimeoutMs)
                    + " ms"));
      }
    }
  }

  private void clearInFlight(Map<TopicPartition, Integer> requested) {
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

  /**
   * Whether the application is inside poll(). An answer that brought data is followed by the next
   * fetch at once (pipelining, up to {@link #MAX_BUFFERED_PER_PARTITION} buffered answers), but an
   * empty one only while the application polls: otherwise the next poll() fetches again. As in
   * Kafka's consumer, a caught-up consumer with a short fetch.max.wait.ms does not keep the brokers
   * busy with empty fetches while the application does other things.
   */
  public synchronized void polling(boolean polling) {
    this.polling = polling;
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
    for (NodeStream stream : streams.values()) {
      stream.cancel("consumer closed");
    }
    streams.clear();
    notifyAll();
  }
}
