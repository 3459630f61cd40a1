package io.brook.client.consumer;

import io.brook.client.common.PartitionInfo;
import io.brook.common.TopicPartition;
import java.io.Closeable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client that reads records, as Kafka's {@code Consumer}: by manual {@link #assign assignment},
 * or as a member of a consumer group ({@code group.id}) through {@link #subscribe}. Not
 * thread-safe: one thread uses a consumer (only {@link #wakeup} may be called from another).
 */
public interface Consumer<K, V> extends Closeable {
  /** Replaces the assignment; positions of partitions still assigned are kept. */
  void assign(Collection<TopicPartition> partitions);

  Set<TopicPartition> assignment();

  /** Joins the group ({@code group.id}) for these topics; partitions come from rebalances. */
  void subscribe(Collection<String> topics);

  void subscribe(Collection<String> topics, ConsumerRebalanceListener listener);

  /** Subscribes to every topic matching the pattern, now and as topics are created. */
  void subscribe(Pattern pattern);

  void subscribe(Pattern pattern, ConsumerRebalanceListener listener);

  /** The subscribed topics (for a pattern: the matching ones known so far). */
  Set<String> subscription();

  /** Clears the assignment or the subscription (leaving the group). */
  void unsubscribe();

  /** Commits the positions of every assigned partition, as returned by the last poll. */
  void commitSync();

  void commitSync(Duration timeout);

  void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets);

  void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout);

  void commitAsync();

  void commitAsync(OffsetCommitCallback callback);

  void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback);

  /** The group's committed offsets of these partitions (null for a partition with none). */
  Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions);

  Map<TopicPartition, OffsetAndMetadata> committed(
      Set<TopicPartition> partitions, Duration timeout);

  /** The group, generation and member id this consumer belongs to now. */
  ConsumerGroupMetadata groupMetadata();

  /** Asks for a rebalance at the next poll (a no-op without a subscription). */
  void enforceRebalance();

  void enforceRebalance(String reason);

  /**
   * Returns the records fetched since the last poll (at most max.poll.records), waiting up to
   * {@code timeout} for some when none are buffered.
   */
  ConsumerRecords<K, V> poll(Duration timeout);

  void seek(TopicPartition partition, long offset);

  void seekToBeginning(Collection<TopicPartition> partitions);

  void seekToEnd(Collection<TopicPartition> partitions);

  /** The offset of the next record poll() will return for {@code partition}. */
  long position(TopicPartition partition);

  long position(TopicPartition partition, Duration timeout);

  List<PartitionInfo> partitionsFor(String topic);

  List<PartitionInfo> partitionsFor(String topic, Duration timeout);

  Map<String, List<PartitionInfo>> listTopics();

  Map<String, List<PartitionInfo>> listTopics(Duration timeout);

  /**
   * For each partition, the earliest offset whose timestamp is at least the given one (null when
   * there is none).
   */
  Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps);

  Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps, Duration timeout);

  Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions);

  Map<TopicPartition, Long> beginningOffsets(
      Collection<TopicPartition> partitions, Duration timeout);

  /** The high watermarks: the offset after the last record a consumer can read. */
  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions);

  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout);

  /** Interrupts a poll() that is waiting, from any thread; it throws a WakeupException. */
  void wakeup();

  @Override
  void close();

  void close(Duration timeout);
}
