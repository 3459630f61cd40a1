package io.brook.systest.workload;

import java.time.Duration;

/**
 * How hard and how patiently the {@link Workload} works. Immutable; {@link #defaults()} then the
 * {@code with...} methods.
 *
 * @param recordsPerSecondPerTopic each topic's producer sends at most this many records a second
 *     (modest by default: three producers, three consumers, ZooKeeper and three brokers share two
 *     cores)
 * @param maxUnackedRecordsPerTopic a producer waits while this many of its sends are incomplete
 * @param partitions partitions per topic
 * @param replicationFactor replicas per partition
 * @param topicPrefix prepended to the topic names (so runs can share a cluster)
 * @param requestTimeout producer and consumer request.timeout.ms
 * @param deliveryTimeout producer delivery.timeout.ms: the longest a send can stay incomplete
 * @param lingerMs producer linger.ms
 * @param progressRecords what {@link Workload#awaitProgress(Duration)} waits for: this many new
 *     acknowledgements per producer and new reads per consumer
 * @param setupTimeout deadline for creating the topics and seeing a leader for every partition
 */
public record WorkloadOptions(
    int recordsPerSecondPerTopic,
    int maxUnackedRecordsPerTopic,
    int partitions,
    short replicationFactor,
    String topicPrefix,
    Duration requestTimeout,
    Duration deliveryTimeout,
    int lingerMs,
    int progressRecords,
    Duration setupTimeout) {

  public WorkloadOptions {
    if (recordsPerSecondPerTopic <= 0 || maxUnackedRecordsPerTopic <= 0 || partitions <= 0) {
      throw new IllegalArgumentException("rates, limits and partitions must be positive");
    }
  }

  public static WorkloadOptions defaults() {
    return new WorkloadOptions(
        200,
        2000,
        3,
        (short) 3,
        "",
        Duration.ofSeconds(5),
        Duration.ofSeconds(20),
        5,
        20,
        Duration.ofSeconds(30));
  }

  public WorkloadOptions withRecordsPerSecondPerTopic(int rate) {
    return new WorkloadOptions(
        rate,
        maxUnackedRecordsPerTopic,
        partitions,
        replicationFactor,
        topicPrefix,
        requestTimeout,
        deliveryTimeout,
        lingerMs,
        progressRecords,
        setupTimeout);
  }

  public WorkloadOptions withTopicPrefix(String prefix) {
    return new WorkloadOptions(
        recordsPerSecondPerTopic,
        maxUnackedRecordsPerTopic,
        partitions,
        replicationFactor,
        prefix,
        requestTimeout,
        deliveryTimeout,
        lingerMs,
        progressRecords,
        setupTimeout);
  }

  public WorkloadOptions withReplicationFactor(short rf) {
    return new WorkloadOptions(
        recordsPerSecondPerTopic,
        maxUnackedRecordsPerTopic,
        partitions,
        rf,
        topicPrefix,
        requestTimeout,
        deliveryTimeout,
        lingerMs,
        progressRecords,
        setupTimeout);
  }

  public WorkloadOptions withProgressRecords(int records) {
    return new WorkloadOptions(
        recordsPerSecondPerTopic,
        maxUnackedRecordsPerTopic,
        partitions,
        replicationFactor,
        topicPrefix,
        requestTimeout,
        deliveryTimeout,
        lingerMs,
        records,
        setupTimeout);
  }
}
