package io.brook.broker.metrics;

import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopicResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchResponse;

/**
 * Counts the records carried by the fetch answers a broker sends, per topic: consumers' (bytes and
 * records out) and followers' (replication bytes out). Counted once per answer sent, so a long-poll
 * fetch that read twice counts once.
 */
public final class FetchTraffic {
  private FetchTraffic() {}

  /** Counts a consumer fetch answer. Returns it, for use in a future chain. */
  public static FetchResponse countConsumerFetch(
      ReplicaMetricsListener metrics, FetchResponse response) {
    if (metrics == ReplicaMetricsListener.NONE || response == null) {
      return response;
    }
    for (FetchTopicResponse t : response.getTopicsList()) {
      long bytes = 0;
      long records = 0;
      for (FetchPartitionResponse p : t.getPartitionsList()) {
        if (!p.getRecords().isEmpty()) {
          bytes += p.getRecords().size();
          records += RecordCounts.of(p.getRecords().asReadOnlyByteBuffer());
        }
      }
      if (bytes > 0) {
        metrics.onFetch(t.getTopic(), bytes, records);
      }
    }
    return response;
  }

  /** Counts a follower fetch answer. Returns it, for use in a future chain. */
  public static ReplicaFetchResponse countReplicaFetch(
      ReplicaMetricsListener metrics, ReplicaFetchResponse response) {
    if (metrics == ReplicaMetricsListener.NONE || response == null) {
      return response;
    }
    for (ReplicaFetchData d : response.getPartitionsList()) {
      if (!d.getRecords().isEmpty()) {
        metrics.onReplicationBytesOut(d.getTopic(), d.getRecords().size());
      }
    }
    return response;
  }
}
