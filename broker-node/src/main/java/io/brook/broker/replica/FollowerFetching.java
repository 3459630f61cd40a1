package io.brook.broker.replica;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import java.util.Collection;
import java.util.Map;

/**
 * The follower side of replication as {@link ReplicaManager} drives it: start fetching partitions
 * from their leaders when this broker becomes a follower, stop when it becomes leader or the
 * replica is stopped. Implemented by {@code io.brook.broker.replica.fetcher.ReplicaFetcherManager}
 * (one ReplicaService stream per leader broker).
 *
 * <p>Thread rules: implementations are thread-safe. {@link #stopFetching} returns only once no
 * append, truncation or high-watermark update by the fetcher is in progress for those partitions,
 * and none will start afterwards (until they are started again).
 */
public interface FollowerFetching extends AutoCloseable {

  /** Where a follower starts: the leader to fetch from, and the leader epoch it was told. */
  record FetchStart(int leaderId, BrokerEndpoint leaderEndpoint, int leaderEpoch) {}

  /**
   * Starts fetching {@code partitions}, or restarts when the leader or leader epoch changed. The
   * fetcher first truncates each log by the leader's OffsetForLeaderEpoch answer, then fetches from
   * its log end offset.
   */
  void startFetching(Map<Partition, FetchStart> partitions);

  /** Stops fetching {@code partitions} (no effect for partitions not being fetched). */
  void stopFetching(Collection<TopicPartition> partitions);

  /**
   * The follower replication quota (follower.replication.throttled.*): throttled partitions are
   * skipped in a fetch round while it is exhausted. Default: ignored.
   */
  default void setQuota(ReplicationQuota quota) {}

  /** Stops every fetcher and closes their streams. */
  @Override
  void close();

  /** For tests of single-replica paths: fetches nothing. */
  FollowerFetching NONE =
      new FollowerFetching() {
        @Override
        public void startFetching(Map<Partition, FetchStart> partitions) {}

        @Override
        public void stopFetching(Collection<TopicPartition> partitions) {}

        @Override
        public void close() {}
      };
}
