package io.brook.broker.group;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where the group coordinator makes its state durable: partition {@link #partitionFor} of the
 * internal topic {@code __consumer_offsets}, whose leader this broker is. The coordinator decides
 * (membership, generations, fencing); the store only appends and loads records.
 *
 * <p>Thread rules: any thread; {@link #append} never blocks (its future completes when the records
 * are replicated, or fail).
 */
public interface GroupStore {

  /** {@code abs(groupId.hashCode()) % offsets.topic.num.partitions}, as Kafka computes it. */
  int partitionFor(String groupId);

  /**
   * Appends the records to {@code __consumer_offsets-partitionFor(groupId)} with {@code acks=all}
   * semantics, in one batch, in order.
   *
   * @return completes with NONE once the high watermark passed the batch; otherwise with the code
   *     the coordinator should return to the member: NOT_COORDINATOR (this broker is not the
   *     partition's leader any more), COORDINATOR_NOT_AVAILABLE (not enough in-sync replicas, the
   *     replication timed out, the log failed), or another code that explains the failure. Never
   *     completes exceptionally.
   */
  CompletableFuture<ErrorCode> append(String groupId, List<GroupRecord> records);

  /** One record of {@code __consumer_offsets}. A null value is a tombstone. */
  sealed interface GroupRecord permits GroupRecord.GroupMetadata, GroupRecord.OffsetCommit {
    String groupId();

    /** The group's metadata (key: group id); null deletes the group. */
    record GroupMetadata(String groupId, GroupMetadataValue value) implements GroupRecord {}

    /** A committed offset (key: group, topic, partition); null deletes it. */
    record OffsetCommit(String groupId, TopicPartition partition, OffsetCommitValue value)
        implements GroupRecord {}
  }

  /**
   * What loading one {@code __consumer_offsets} partition found: the last value of every key, with
   * keys whose last record is a tombstone left out.
   */
  record LoadedPartition(
      int partition,
      Map<String, GroupMetadataValue> groups,
      Map<String, Map<TopicPartition, OffsetCommitValue>> offsets) {}

  /**
   * What the store tells the coordinator about the partitions it leads. Called by the store (from
   * its own loader thread), in order per partition.
   */
  interface Listener {
    /**
     * This broker became leader of the partition at {@code leaderEpoch}: its groups are loading
     * (answer COORDINATOR_LOAD_IN_PROGRESS for them until {@link #onLoaded}).
     */
    void onElection(int partition, int leaderEpoch);

    /** Loading finished: the coordinator now owns these groups and offsets. */
    void onLoaded(int partition, int leaderEpoch, LoadedPartition loaded);

    /**
     * This broker is no longer the partition's leader (or the partition was deleted): drop its
     * groups, answer NOT_COORDINATOR, and fail their waiting joins with NOT_COORDINATOR.
     */
    void onResignation(int partition, int leaderEpoch);
  }
}
