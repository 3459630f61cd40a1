package io.brook.broker.replica.fetcher;

/**
 * The broker configs the follower side uses, with Kafka's names and defaults. Immutable.
 *
 * @param fetchWaitMaxMs replica.fetch.wait.max.ms: how long the leader may hold a fetch
 * @param fetchMinBytes replica.fetch.min.bytes: the leader answers once it has this many bytes
 * @param fetchMaxBytes replica.fetch.max.bytes: per partition (the first batch comes even if
 *     larger)
 * @param fetchResponseMaxBytes replica.fetch.response.max.bytes: per response
 * @param fetchBackoffMs replica.fetch.backoff.ms: wait after a failed stream or partition error
 * @param socketTimeoutMs replica.socket.timeout.ms: deadline of OffsetForLeaderEpoch and of each
 *     fetch response (beyond the wait the leader may take)
 */
public record ReplicaFetcherConfig(
    int fetchWaitMaxMs,
    int fetchMinBytes,
    int fetchMaxBytes,
    int fetchResponseMaxBytes,
    long fetchBackoffMs,
    long socketTimeoutMs) {

  /** Kafka's defaults. */
  public static final ReplicaFetcherConfig DEFAULT =
      new ReplicaFetcherConfig(500, 1, 1048576, 10485760, 1000, 30000);

  public ReplicaFetcherConfig {
    if (fetchWaitMaxMs < 0
        || fetchMinBytes < 0
        || fetchMaxBytes < 0
        || fetchResponseMaxBytes < 0
        || fetchBackoffMs < 0
        || socketTimeoutMs <= 0) {
      throw new IllegalArgumentException("invalid replica fetcher config " + this);
    }
  }

  public ReplicaFetcherConfig withFetchBackoffMs(long ms) {
    return new ReplicaFetcherConfig(
        fetchWaitMaxMs, fetchMinBytes, fetchMaxBytes, fetchResponseMaxBytes, ms, socketTimeoutMs);
  }

  public ReplicaFetcherConfig withFetchWaitMaxMs(int ms) {
    return new ReplicaFetcherConfig(
        ms, fetchMinBytes, fetchMaxBytes, fetchResponseMaxBytes, fetchBackoffMs, socketTimeoutMs);
  }
}
