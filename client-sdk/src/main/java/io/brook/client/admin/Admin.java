package io.brook.client.admin;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;

/**
 * Administers topics and inspects the cluster, as Kafka's {@code Admin}. Every call returns at
 * once; its result holds futures that complete when the brokers answered. Thread-safe.
 */
public interface Admin extends AutoCloseable {
  static Admin create(Properties props) {
    return new BrookAdmin(props);
  }

  static Admin create(Map<String, Object> conf) {
    return new BrookAdmin(conf);
  }

  default CreateTopicsResult createTopics(Collection<NewTopic> newTopics) {
    return createTopics(newTopics, new CreateTopicsOptions());
  }

  CreateTopicsResult createTopics(Collection<NewTopic> newTopics, CreateTopicsOptions options);

  default DeleteTopicsResult deleteTopics(Collection<String> topics) {
    return deleteTopics(topics, new DeleteTopicsOptions());
  }

  DeleteTopicsResult deleteTopics(Collection<String> topics, DeleteTopicsOptions options);

  /**
   * Increases the partition count of topics (Kafka's {@code Admin.createPartitions}); the result's
   * futures fail with InvalidPartitionsException, UnknownTopicOrPartitionException,
   * InvalidReplicaAssignmentException, ... with the controller's message.
   */
  default CreatePartitionsResult createPartitions(Map<String, NewPartitions> newPartitions) {
    return createPartitions(newPartitions, new CreatePartitionsOptions());
  }

  CreatePartitionsResult createPartitions(
      Map<String, NewPartitions> newPartitions, CreatePartitionsOptions options);

  /** The topics of the cluster; internal ones only when the options ask for them. */
  default ListTopicsResult listTopics() {
    return listTopics(new ListTopicsOptions());
  }

  ListTopicsResult listTopics(ListTopicsOptions options);

  default DescribeTopicsResult describeTopics(Collection<String> topicNames) {
    return describeTopics(topicNames, new DescribeTopicsOptions());
  }

  DescribeTopicsResult describeTopics(Collection<String> topicNames, DescribeTopicsOptions options);

  default DescribeClusterResult describeCluster() {
    return describeCluster(new DescribeClusterOptions());
  }

  DescribeClusterResult describeCluster(DescribeClusterOptions options);

  default DescribeConfigsResult describeConfigs(Collection<ConfigResource> resources) {
    return describeConfigs(resources, new DescribeConfigsOptions());
  }

  DescribeConfigsResult describeConfigs(
      Collection<ConfigResource> resources, DescribeConfigsOptions options);

  @Override
  default void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /** Waits up to {@code timeout} for pending calls, then fails the rest. */
  void close(Duration timeout);
}
