package io.brook.client.admin;

import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Administers topics and consumer groups and inspects the cluster, as Kafka's {@code Admin}. Every
 * call returns at once; its result holds futures that complete when the brokers answered.
 * Thread-safe.
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

  /**
   * Offsets of partitions (Kafka's {@code Admin.listOffsets}): the log start, the high watermark,
   * or the first offset at or after a timestamp (-1 when no record is that recent), asked of each
   * partition's leader.
   */
  default ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> topicPartitionOffsets) {
    return listOffsets(topicPartitionOffsets, new ListOffsetsOptions());
  }

  ListOffsetsResult listOffsets(
      Map<TopicPartition, OffsetSpec> topicPartitionOffsets, ListOffsetsOptions options);

  // ------------------------------------------------------------------ consumer groups

  /** Every consumer group of the cluster: every live broker lists the groups it coordinates. */
  default ListConsumerGroupsResult listConsumerGroups() {
    return listConsumerGroups(new ListConsumerGroupsOptions());
  }

  ListConsumerGroupsResult listConsumerGroups(ListConsumerGroupsOptions options);

  /** Members, assignments, state and coordinator of groups (from each group's coordinator). */
  default DescribeConsumerGroupsResult describeConsumerGroups(Collection<String> groupIds) {
    return describeConsumerGroups(groupIds, new DescribeConsumerGroupsOptions());
  }

  DescribeConsumerGroupsResult describeConsumerGroups(
      Collection<String> groupIds, DescribeConsumerGroupsOptions options);

  /** The committed offsets of every partition of the group. */
  default ListConsumerGroupOffsetsResult listConsumerGroupOffsets(String groupId) {
    return listConsumerGroupOffsets(groupId, new ListConsumerGroupOffsetsOptions());
  }

  default ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      String groupId, ListConsumerGroupOffsetsOptions options) {
    return listConsumerGroupOffsets(Map.of(groupId, new ListConsumerGroupOffsetsSpec()), options);
  }

  default ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      Map<String, ListConsumerGroupOffsetsSpec> groupSpecs) {
    return listConsumerGroupOffsets(groupSpecs, new ListConsumerGroupOffsetsOptions());
  }

  ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      Map<String, ListConsumerGroupOffsetsSpec> groupSpecs,
      ListConsumerGroupOffsetsOptions options);

  /**
   * Commits offsets for a group from outside its membership: the coordinator accepts them only
   * while the group has no active members (else UnknownMemberIdException per partition).
   */
  default AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(
      String groupId, Map<TopicPartition, OffsetAndMetadata> offsets) {
    return alterConsumerGroupOffsets(groupId, offsets, new AlterConsumerGroupOffsetsOptions());
  }

  AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(
      String groupId,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      AlterConsumerGroupOffsetsOptions options);

  /** Deletes empty groups with their offsets (GroupNotEmptyException for a group with members). */
  default DeleteConsumerGroupsResult deleteConsumerGroups(Collection<String> groupIds) {
    return deleteConsumerGroups(groupIds, new DeleteConsumerGroupsOptions());
  }

  DeleteConsumerGroupsResult deleteConsumerGroups(
      Collection<String> groupIds, DeleteConsumerGroupsOptions options);

  /** Deletes a group's committed offsets of partitions of topics it is not subscribed to. */
  default DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(
      String groupId, Set<TopicPartition> partitions) {
    return deleteConsumerGroupOffsets(groupId, partitions, new DeleteConsumerGroupOffsetsOptions());
  }

  DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(
      String groupId, Set<TopicPartition> partitions, DeleteConsumerGroupOffsetsOptions options);

  /** Removes static members (by group.instance.id), or every member when the options name none. */
  RemoveMembersFromConsumerGroupResult removeMembersFromConsumerGroup(
      String groupId, RemoveMembersFromConsumerGroupOptions options);

  // ------------------------------------------------------------------ operations

  /**
   * Changes configs of topics and brokers (Kafka's {@code incrementalAlterConfigs}); a broker
   * resource named "" is the cluster-wide default. A resource with any invalid change is not
   * changed at all; its future fails with the controller's message (which names the key).
   */
  default AlterConfigsResult incrementalAlterConfigs(
      Map<ConfigResource, Collection<AlterConfigOp>> configs) {
    return incrementalAlterConfigs(configs, new AlterConfigsOptions());
  }

  AlterConfigsResult incrementalAlterConfigs(
      Map<ConfigResource, Collection<AlterConfigOp>> configs, AlterConfigsOptions options);

  /**
   * Moves partitions to new replicas, or cancels a move (an empty Optional), as Kafka's {@code
   * alterPartitionReassignments}. The futures complete once the controller recorded the change; the
   * move itself goes on in the background ({@link #listPartitionReassignments}).
   */
  default AlterPartitionReassignmentsResult alterPartitionReassignments(
      Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments) {
    return alterPartitionReassignments(reassignments, new AlterPartitionReassignmentsOptions());
  }

  AlterPartitionReassignmentsResult alterPartitionReassignments(
      Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments,
      AlterPartitionReassignmentsOptions options);

  /** Every reassignment in progress. */
  default ListPartitionReassignmentsResult listPartitionReassignments() {
    return listPartitionReassignments(Optional.empty(), new ListPartitionReassignmentsOptions());
  }

  /** The reassignments in progress among {@code partitions}. */
  default ListPartitionReassignmentsResult listPartitionReassignments(
      Set<TopicPartition> partitions) {
    return listPartitionReassignments(
        Optional.of(partitions), new ListPartitionReassignmentsOptions());
  }

  ListPartitionReassignmentsResult listPartitionReassignments(
      Optional<Set<TopicPartition>> partitions, ListPartitionReassignmentsOptions options);

  /**
   * Elects leaders (Kafka's {@code electLeaders}): the preferred replica, or for partitions without
   * a leader any live replica (unclean). {@code partitions} null: every partition of the cluster.
   */
  default ElectLeadersResult electLeaders(
      ElectionType electionType, Set<TopicPartition> partitions) {
    return electLeaders(electionType, partitions, new ElectLeadersOptions());
  }

  ElectLeadersResult electLeaders(
      ElectionType electionType, Set<TopicPartition> partitions, ElectLeadersOptions options);

  @Override
  default void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /** Waits up to {@code timeout} for pending calls, then fails the rest. */
  void close(Duration timeout);
}
