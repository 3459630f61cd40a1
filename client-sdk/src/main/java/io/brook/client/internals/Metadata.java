package io.brook.client.internals;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.InvalidTopicException;
import io.brook.common.Time;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.TopicMetadata;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The client's cache of cluster metadata for the topics it uses. The current {@link Cluster} is an
 * immutable snapshot readable from any thread without locking; a refresh is requested on demand
 * ({@link #requestUpdate}) and happens anyway every {@code metadata.max.age.ms}, with {@code
 * retry.backoff.ms} between attempts. Refreshes are driven by whoever calls {@link #maybeUpdate}
 * (the producer's sender thread, the consumer's poll, the admin's calls); the request is
 * asynchronous and at most one is in flight.
 *
 * <p>Thread-safe: mutable state is guarded by {@code this}; waiters use wait/notifyAll on it.
 */
public final class Metadata {
  private static final Logger LOG = LogManager.getLogger(Metadata.class);

  private final BrokerChannels channels;
  private final List<Node> bootstrap;
  private final long refreshBackoffMs;
  private final long maxAgeMs;
  private final int requestTimeoutMs;
  private final Time time;

  private volatile Cluster cluster;
  // Guarded by this.
  private final Set<String> topics = new LinkedHashSet<>();
  private boolean allTopics;
  private final Map<String, BrookException> topicErrors = new HashMap<>();
  private boolean needUpdate = true;
  private boolean inFlight;
  private int version;
  private long lastRefreshMs;
  private long lastAttemptMs = Long.MIN_VALUE / 2;
  private int nodeCursor;
  private BrookException lastFailure;
  private Runnable updateListener = () -> {};

  public Metadata(
      BrokerChannels channels,
      List<Node> bootstrap,
      long refreshBackoffMs,
      long maxAgeMs,
      int requestTimeoutMs,
      Time time) {
    this.channels = channels;
    this.bootstrap = List.copyOf(bootstrap);
    this.refreshBackoffMs = refreshBackoffMs;
    this.maxAgeMs = maxAgeMs;
    this.requestTimeoutMs = requestTimeoutMs;
    this.time = time;
    this.cluster = Cluster.bootstrap(bootstrap);
  }

  /** The latest snapshot. */
  public Cluster fetch() {
    return cluster;
  }

  /** Called (outside any lock) after every update attempt, successful or not. */
  public synchronized void setUpdateListener(Runnable listener) {
    this.updateListener = listener;
  }

  /** Adds a topic to those refreshed; requests an update when it is new. */
  public synchronized void add(String topic) {
    if (topics.add(topic)) {
      needUpdate = true;
    }
  }

  public synchronized void setTopics(Set<String> newTopics) {
    if (!topics.equals(newTopics)) {
      topics.clear();
      topics.addAll(newTopics);
      needUpdate = true;
    }
  }

  /**
   * When true, every refresh asks for all topics (a consumer's pattern subscription), in addition
   * to {@link #topics()}.
   */
  public synchronized void setAllTopics(boolean all) {
    if (all != allTopics) {
      allTopics = all;
      needUpdate = true;
    }
  }

  public synchronized Set<String> topics() {
    return new HashSet<>(topics);
  }

  public synchronized int requestUpdate() {
    needUpdate = true;
    return version;
  }

  public synchronized int version() {
    return version;
  }

  /**
   * The non-retriable error the last refresh reported for {@code topic} (invalid name), or null.
   */
  public synchronized BrookException topicError(String topic) {
    return topicErrors.get(topic);
  }

  /** Milliseconds until the next refresh is due (0 when due now). */
  public synchronized long timeToNextUpdate(long nowMs) {
    if (inFlight) {
      return Long.MAX_VALUE;
    }
    long backoffEnd = lastAttemptMs + refreshBackoffMs;
    long due = needUpdate ? backoffEnd : Math.max(lastRefreshMs + maxAgeMs, backoffEnd);
    return Math.max(0, due - nowMs);
  }

  /** Sends a metadata request when one is due and none is in flight. Returns at once. */
  public void maybeUpdate() {
    long now = time.hiResClockMs();
    Node node;
    Set<String> requested;
    boolean all;
    synchronized (this) {
      if (inFlight || timeToNextUpdate(now) > 0) {
        return;
      }
      inFlight = true;
      lastAttemptMs = now;
      node = nextNode();
      requested = new LinkedHashSet<>(topics);
      all = allTopics;
    }
    MetadataRequest req =
        MetadataRequest.newBuilder()
            .addAllTopics(all ? Set.of() : requested)
            .setAllTopics(all)
            .setAllowAutoTopicCreation(true)
            .build();
    try {
      channels
          .asyncStub(node)
          .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS)
          .metadata(
              req,
              new StreamObserver<>() {
                @Override
                public void onNext(MetadataResponse r) {
                  handleResponse(r, requested);
                }

                @Override
                public void onError(Throwable t) {
                  handleFailure(node, t);
                }

                @Override
                public void onCompleted() {}
              });
    } catch (RuntimeException e) {
      handleFailure(node, e);
    }
  }

  /** A broker to send a request any broker can answer (live brokers in turn, then bootstrap). */
  public synchronized Node anyNode() {
    return nextNode();
  }

  /** The next broker to ask: live brokers in turn, then the bootstrap addresses. */
  private Node nextNode() {
    List<Node> candidates = new ArrayList<>(cluster.nodes());
    for (Node b : bootstrap) {
      if (!candidates.contains(b)) {
        candidates.add(b);
      }
    }
    return candidates.get(Math.floorMod(nodeCursor++, candidates.size()));
  }

  private void handleResponse(MetadataResponse r, Set<String> requested) {
    Runnable listener;
    synchronized (this) {
      update(r, requested, time.hiResClockMs());
      inFlight = false;
      listener = updateListener;
      notifyAll();
    }
    listener.run();
  }

  private void handleFailure(Node node, Throwable t) {
    Runnable listener;
    synchronized (this) {
      inFlight = false;
      lastFailure = ErrorMapping.fromStatus(t, node.host() + ":" + node.port());
      LOG.debug("metadata request to {} failed: {}", node, lastFailure.getMessage());
      listener = updateListener;
      notifyAll();
    }
    listener.run();
  }

  /** Applies a response (also used directly by tests). */
  public synchronized void update(MetadataResponse r, Set<String> requested, long nowMs) {
    Map<Integer, Node> nodes = new HashMap<>();
    for (BrokerEndpoint b : r.getBrokersList()) {
      nodes.put(b.getId(), new Node(b.getId(), b.getHost(), b.getPort(), b.getRack()));
    }
    List<PartitionInfo> partitions = new ArrayList<>();
    Set<String> internal = new HashSet<>();
    Map<String, String> ids = new HashMap<>();
    Map<String, Integer> epochs = new HashMap<>();
    boolean retry = false;
    for (TopicMetadata t : r.getTopicsList()) {
      topicErrors.remove(t.getName());
      if (t.getError() == ErrorCode.INVALID_TOPIC) {
        topicErrors.put(t.getName(), ErrorMapping.exception(t.getError(), t.getName()));
        continue;
      }
      if (t.getError() != ErrorCode.NONE) {
        retry = true; // unknown (maybe being auto-created) or leader not available yet
        continue;
      }
      if (t.getIsInternal()) {
        internal.add(t.getName());
      }
      ids.put(t.getName(), t.getTopicId());
      for (PartitionMetadata p : t.getPartitionsList()) {
        Node leader = p.getLeader() >= 0 ? nodes.get(p.getLeader()) : null;
        if (leader == null) {
          retry = true;
        }
        partitions.add(
            new PartitionInfo(
                t.getName(),
                p.getPartition(),
                leader,
                toNodes(p.getReplicasList(), nodes),
                toNodes(p.getIsrList(), nodes),
                toNodes(p.getOfflineReplicasList(), nodes)));
        epochs.put(t.getName() + "-" + p.getPartition(), p.getLeaderEpoch());
      }
    }
    Node controller = nodes.get(r.getControllerId());
    List<Node> live = nodes.isEmpty() ? cluster.nodes() : new ArrayList<>(nodes.values());
    this.cluster =
        new Cluster(r.getClusterId(), live, partitions, internal, controller, ids, epochs);
    this.version++;
    this.lastRefreshMs = nowMs;
    this.lastFailure = null;
    // Partitions without a leader: try again after the backoff rather than at max age.
    this.needUpdate = retry || !requested.containsAll(topics);
  }

  private static Node[] toNodes(List<Integer> ids, Map<Integer, Node> nodes) {
    Node[] out = new Node[ids.size()];
    for (int i = 0; i < out.length; i++) {
      Node n = nodes.get(ids.get(i));
      out[i] = n != null ? n : new Node(ids.get(i), "", -1);
    }
    return out;
  }

  /**
   * Waits until the version passes {@code lastVersion} or {@code maxWaitMs} passed, driving
   * refreshes itself (for callers without a background thread).
   *
   * @return true when updated
   */
  public boolean awaitUpdate(int lastVersion, long maxWaitMs) {
    long deadline = time.hiResClockMs() + maxWaitMs;
    while (true) {
      maybeUpdate();
      synchronized (this) {
        if (version > lastVersion) {
          return true;
        }
        long now = time.hiResClockMs();
        if (now >= deadline) {
          return false;
        }
        long wait = Math.min(deadline - now, Math.max(1, timeToNextUpdate(now)));
        try {
          wait(Math.min(wait, 100));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptException("interrupted while waiting for metadata", e);
        }
      }
    }
  }

  /** Why the last refresh failed, or null. */
  public synchronized BrookException lastFailure() {
    return lastFailure;
  }

  /** Throws the invalid-topic error for {@code topic}, if the last refresh reported one. */
  public void checkTopic(String topic) {
    BrookException e = topicError(topic);
    if (e instanceof InvalidTopicException) {
      throw new InvalidTopicException("Invalid topics: [" + topic + "]");
    }
  }
}
