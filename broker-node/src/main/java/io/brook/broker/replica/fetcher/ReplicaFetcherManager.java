package io.brook.broker.replica.fetcher;

import io.brook.broker.replica.FollowerFetching;
import io.brook.broker.replica.Partition;
import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The follower side of replication: one {@link ReplicaFetcher} (one Replicate stream, one thread)
 * per leader broker, holding every partition this broker follows from that leader.
 *
 * <p>Invariants: a partition is in at most one fetcher; a fetcher's endpoint is the one of the last
 * {@code startFetching} naming its leader (a changed endpoint replaces the fetcher, moving its
 * partitions); a fetcher with no partition left is closed.
 *
 * <p>Thread rules: thread-safe; the public methods are serialized on this object. Callers must not
 * hold a Partition's lock (the fetcher threads take it while holding their own).
 */
public final class ReplicaFetcherManager implements FollowerFetching {
  private static final Logger logger = LogManager.getLogger(ReplicaFetcherManager.class);

  private final int brokerId;
  private final LongSupplier brokerEpoch;
  private final ReplicaFetcherConfig config;
  private final Time time;
  private final Scheduler scheduler;
  private final LeaderConnection.Factory connections;

  // @GuardedBy("this")
  private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
  // @GuardedBy("this")
  private boolean closed;
  // @GuardedBy("this")
  private io.brook.broker.replica.ReplicationQuota quota;

  /** Connects to leaders over gRPC (plaintext). */
  public ReplicaFetcherManager(
      int brokerId,
      LongSupplier brokerEpoch,
      ReplicaFetcherConfig config,
      Time time,
      Scheduler scheduler) {
    this(brokerId, brokerEpoch, config, time, scheduler, GrpcLeaderConnection.factory());
  }

  public ReplicaFetcherManager(
      int brokerId,
      LongSupplier brokerEpoch,
      ReplicaFetcherConfig config,
      Time time,
      Scheduler scheduler,
      LeaderConnection.Factory connections) {
    this.brokerId = brokerId;
    this.brokerEpoch = brokerEpoch;
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.connections = connections;
  }

  @Override
  public synchronized void setQuota(io.brook.broker.replica.ReplicationQuota quota) {
    this.quota = quota;
    fetchers.values().forEach(f -> f.setQuota(quota));
  }

  @Override
  public synchronized void startFetching(Map<Partition, FetchStart> partitions) {
    if (closed) {
      throw new IllegalStateException("the replica fetcher manager is closed");
    }
    Map<Integer, Map<Partition, Integer>> byLeader = new LinkedHashMap<>();
    Map<Integer, BrokerEndpoint> endpoints = new HashMap<>();
    for (Map.Entry<Partition, FetchStart> e : partitions.entrySet()) {
      Partition p = e.getKey();
      FetchStart start = e.getValue();
      TopicPartition tp = p.topicPartition();
      Optional<ReplicaFetcher> current = fetcherOf(tp);
      if (current.isPresent()) {
        ReplicaFetcher f = current.get();
        ReplicaFetcher.PartitionFetchState s = f.partitionStates().get(tp);
        if (f.leaderId() == start.leaderId()
            && f.leaderEndpoint().equals(start.leaderEndpoint())
            && s != null
            && s.partition == p
            && s.leaderEpoch == start.leaderEpoch()
            && f.phase(tp) != ReplicaFetcher.Phase.PAUSED) {
          continue; // already fetching from that leader under that epoch
        }
        f.removePartitions(List.of(tp));
      }
      byLeader
          .computeIfAbsent(start.leaderId(), k -> new LinkedHashMap<>())
          .put(p, start.leaderEpoch());
      endpoints.put(start.leaderId(), start.leaderEndpoint());
    }
    for (Map.Entry<Integer, Map<Partition, Integer>> e : byLeader.entrySet()) {
      int leaderId = e.getKey();
      ReplicaFetcher f = fetcherFor(leaderId, endpoints.get(leaderId));
      f.addPartitions(e.getValue());
      for (Map.Entry<Partition, Integer> pe : e.getValue().entrySet()) {
        logger.info(
            "Broker {} fetches {} from broker {} (leader epoch {})",
            brokerId,
            pe.getKey().topicPartition(),
            leaderId,
            pe.getValue());
      }
    }
    closeIdleFetchers();
  }

  @Override
  public synchronized void stopFetching(Collection<TopicPartition> partitions) {
    List<TopicPartition> stopped = new ArrayList<>();
    for (ReplicaFetcher f : fetchers.values()) {
      stopped.addAll(f.removePartitions(partitions).keySet());
    }
    if (!stopped.isEmpty()) {
      logger.info("Broker {} stopped fetching {}", brokerId, stopped);
    }
    closeIdleFetchers();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ReplicaFetcher f : fetchers.values()) {
      f.close();
    }
    fetchers.clear();
  }

  /** The fetcher of a leader broker (for tests and tools). */
  public synchronized Optional<ReplicaFetcher> fetcher(int leaderId) {
    return Optional.ofNullable(fetchers.get(leaderId));
  }

  /** The phase of a partition, empty when it is not fetched (for tests and tools). */
  public synchronized Optional<ReplicaFetcher.Phase> phase(TopicPartition tp) {
    return fetcherOf(tp).map(f -> f.phase(tp));
  }

  // @GuardedBy("this")
  private Optional<ReplicaFetcher> fetcherOf(TopicPartition tp) {
    for (ReplicaFetcher f : fetchers.values()) {
      if (f.phase(tp) != null) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The fetcher for a leader, replacing one that connects to an older endpoint of it. */
  // @GuardedBy("this")
  private ReplicaFetcher fetcherFor(int leaderId, BrokerEndpoint endpoint) {
    ReplicaFetcher f = fetchers.get(leaderId);
    if (f != null && f.leaderEndpoint().equals(endpoint)) {
      return f;
    }
    ReplicaFetcher next =
        new ReplicaFetcher(
            brokerId, leaderId, endpoint, brokerEpoch, config, time, scheduler, connections);
    if (quota != null) {
      next.setQuota(quota);
    }
    fetchers.put(leaderId, next);
    if (f != null) {
      // The leader came back elsewhere: move what the old fetcher had, truncating again.
      Map<TopicPartition, ReplicaFetcher.PartitionFetchState> moved =
          f.removePartitions(f.partitionStates().keySet());
      f.close();
      Map<Partition, Integer> readd = new LinkedHashMap<>();
      moved.values().forEach(s -> readd.put(s.partition, s.leaderEpoch));
      if (!readd.isEmpty()) {
        next.addPartitions(readd);
      }
      logger.info(
          "Broker {} now fetches from broker {} at {}:{}",
          brokerId,
          leaderId,
          endpoint.getHost(),
          endpoint.getPort());
    }
    return next;
  }

  // @GuardedBy("this")
  private void closeIdleFetchers() {
    fetchers
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().isEmpty()) {
                e.getValue().close();
                return true;
              }
              return false;
            });
  }
}
