package io.brook.client.admin;

import io.brook.client.admin.internals.AdminCalls;
import io.brook.client.admin.internals.ConsumerGroupAdmin;
import io.brook.client.admin.internals.ListOffsetsLookup;
import io.brook.client.admin.internals.OperationsAdmin;
import io.brook.client.common.Node;
import io.brook.client.common.errors.ApiException;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.InvalidTopicException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.internals.Bootstrap;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ChannelFactory;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.Time;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreatePartitionsAssignment;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeletableTopicResult;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.ReplicaAssignment;
import io.brook.protocol.v1.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The admin client: each call runs on the client's own thread (see {@link AdminCalls}), which sends
 * it to a live broker (the broker forwards topic changes to the active controller), retries
 * retriable failures with {@code retry.backoff.ms} until {@code default.api.timeout.ms} (or the
 * call's timeout), and completes the per-topic futures with the broker's answer mapped to the
 * client's exceptions. Thread-safe.
 */
public final class BrookAdmin implements Admin {
  private final AdminClientConfig config;
  private final BrokerChannels channels;
  private final AdminCalls calls;
  private final ConsumerGroupAdmin groups;
  private final ListOffsetsLookup offsets;
  private final OperationsAdmin operations;

  BrookAdmin(Properties props) {
    this(propsToMap(props));
  }

  BrookAdmin(Map<String, Object> conf) {
    this(new AdminClientConfig(conf), null, Time.SYSTEM);
  }

  /** For tests and tools: a given channel factory (null: netty) and clock. */
  public BrookAdmin(AdminClientConfig config, ChannelFactory factory, Time time) {
    this.config = config;
    this.channels = new BrokerChannels(factory != null ? factory : ChannelFactory.netty(16 << 20));
    List<Node> bootstrap =
        Bootstrap.parse(config.getList(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.calls =
        new AdminCalls(
            channels,
            bootstrap,
            config.getInt(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG),
            config.getLong(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG),
            time);
    this.groups = new ConsumerGroupAdmin(calls);
    this.offsets = new ListOffsetsLookup(calls);
    this.operations = new OperationsAdmin(calls);
  }

  public static Admin create(AdminClientConfig config) {
    return new BrookAdmin(config, null, Time.SYSTEM);
  }

  private static Map<String, Object> propsToMap(Properties props) {
    Map<String, Object> m = new HashMap<>();
    props.forEach((k, v) -> m.put(String.valueOf(k), v));
    return m;
  }

  private long timeout(AbstractOptions<?> o) {
    return o.timeoutMs() != null
        ? o.timeoutMs()
        : config.getInt(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
  }

  @Override
  public CreateTopicsResult createTopics(
      Collection<NewTopic> newTopics, CreateTopicsOptions options) {
    Map<String, CompletableFuture<CreateTopicsResult.TopicMetadataAndConfig>> futures =
        new LinkedHashMap<>();
    CreateTopicsRequest.Builder req =
        CreateTopicsRequest.newBuilder()
            .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, timeout(options)))
            .setValidateOnly(options.shouldValidateOnly());
    for (NewTopic t : newTopics) {
      CompletableFuture<CreateTopicsResult.TopicMetadataAndConfig> f = new CompletableFuture<>();
      if (futures.putIfAbsent(t.name(), f) != null) {
        continue;
      }
      var invalid = Topic.invalidReason(t.name());
      if (invalid.isPresent()) {
        f.completeExceptionally(new InvalidTopicException(invalid.get()));
        continue;
      }
      CreatableTopic.Builder ct =
          CreatableTopic.newBuilder()
              .setName(t.name())
              .setNumPartitions(t.numPartitions())
              .setReplicationFactor(t.replicationFactor());
      if (t.replicasAssignments() != null) {
        new TreeMap<>(t.replicasAssignments())
            .forEach(
                (p, ids) ->
                    ct.addAssignments(
                        ReplicaAssignment.newBuilder().setPartition(p).addAllBrokerIds(ids)));
      }
      if (t.configs() != null) {
        ct.putAllConfigs(t.configs());
      }
      req.addTopics(ct);
    }
    CreateTopicsRequest request = req.build();
    if (request.getTopicsCount() > 0) {
      calls.submit(
          "createTopics",
          timeout(options),
          (stub) -> stub.createTopics(request),
          (CreateTopicsResponse resp) -> {
            // NOT_CONTROLLER for any topic: ask again (the controller is moving).
            for (CreatableTopicResult r : resp.getTopicsList()) {
              if (r.getError() == ErrorCode.NOT_CONTROLLER) {
                throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
              }
            }
            for (CreatableTopicResult r : resp.getTopicsList()) {
              CompletableFuture<CreateTopicsResult.TopicMetadataAndConfig> f =
                  futures.get(r.getName());
              if (f == null) {
                continue;
              }
              if (r.getError() == ErrorCode.NONE) {
                f.complete(
                    new CreateTopicsResult.TopicMetadataAndConfig(
                        r.getTopicId(), r.getNumPartitions(), r.getReplicationFactor()));
              } else {
                f.completeExceptionally(topicError(r.getError(), r.getErrorMessage(), r.getName()));
              }
            }
            futures.values().forEach(f -> f.completeExceptionally(noAnswer()));
            return null;
          },
          failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    }
    return new CreateTopicsResult(futures);
  }

  private static ApiException topicError(ErrorCode code, String message, String topic) {
    if (code == ErrorCode.TOPIC_ALREADY_EXISTS && (message == null || message.isEmpty())) {
      message = "Topic '" + topic + "' already exists.";
    }
    return ErrorMapping.exception(code, message);
  }

  @Override
  public DeleteTopicsResult deleteTopics(Collection<String> topics, DeleteTopicsOptions options) {
    Map<String, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    for (String t : topics) {
      futures.put(t, new CompletableFuture<>());
    }
    DeleteTopicsRequest request =
        DeleteTopicsRequest.newBuilder()
            .addAllTopicNames(futures.keySet())
            .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, timeout(options)))
            .build();
    calls.submit(
        "deleteTopics",
        timeout(options),
        stub -> stub.deleteTopics(request),
        (DeleteTopicsResponse resp) -> {
          for (DeletableTopicResult r : resp.getTopicsList()) {
            if (r.getError() == ErrorCode.NOT_CONTROLLER) {
              throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
            }
          }
          for (DeletableTopicResult r : resp.getTopicsList()) {
            CompletableFuture<Void> f = futures.get(r.getName());
            if (f == null) {
              continue;
            }
            if (r.getError() == ErrorCode.NONE) {
              f.complete(null);
            } else {
              f.completeExceptionally(ErrorMapping.exception(r.getError(), r.getErrorMessage()));
            }
          }
          futures.values().forEach(f -> f.completeExceptionally(noAnswer()));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return new DeleteTopicsResult(futures);
  }

  @Override
  public CreatePartitionsResult createPartitions(
      Map<String, NewPartitions> newPartitions, CreatePartitionsOptions options) {
    Map<String, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    CreatePartitionsRequest.Builder b =
        CreatePartitionsRequest.newBuilder()
            .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, timeout(options)))
            .setValidateOnly(options.validateOnly());
    newPartitions.forEach(
        (topic, np) -> {
          futures.put(topic, new CompletableFuture<>());
          CreatePartitionsTopic.Builder t =
              CreatePartitionsTopic.newBuilder().setName(topic).setCount(np.totalCount());
          if (np.assignments() != null) {
            np.assignments()
                .forEach(
                    rs ->
                        t.addAssignments(
                            CreatePartitionsAssignment.newBuilder().addAllBrokerIds(rs)));
          }
          b.addTopics(t);
        });
    CreatePartitionsRequest request = b.build();
    calls.submit(
        "createPartitions",
        timeout(options),
        stub -> stub.createPartitions(request),
        (CreatePartitionsResponse resp) -> {
          for (CreatePartitionsTopicResult r : resp.getResultsList()) {
            if (r.getError() == ErrorCode.NOT_CONTROLLER) {
              throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
            }
          }
          for (CreatePartitionsTopicResult r : resp.getResultsList()) {
            CompletableFuture<Void> f = futures.get(r.getName());
            if (f == null) {
              continue;
            }
            if (r.getError() == ErrorCode.NONE) {
              f.complete(null);
            } else {
              f.completeExceptionally(ErrorMapping.exception(r.getError(), r.getErrorMessage()));
            }
          }
          futures.values().forEach(f -> f.completeExceptionally(noAnswer()));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return new CreatePartitionsResult(futures);
  }

  private static BrookException noAnswer() {
    return new BrookException("the broker's response did not mention this topic");
  }

  @Override
  public ListTopicsResult listTopics(ListTopicsOptions options) {
    CompletableFuture<Map<String, TopicListing>> future = new CompletableFuture<>();
    MetadataRequest request = MetadataRequest.newBuilder().setAllTopics(true).build();
    calls.submit(
        "listTopics",
        timeout(options),
        stub -> stub.metadata(request),
        (MetadataResponse resp) -> {
          Map<String, TopicListing> out = new TreeMap<>();
          for (TopicMetadata t : resp.getTopicsList()) {
            if (t.getIsInternal() && !options.shouldListInternal()) {
              continue;
            }
            out.put(t.getName(), new TopicListing(t.getName(), t.getTopicId(), t.getIsInternal()));
          }
          future.complete(out);
          return null;
        },
        future::completeExceptionally);
    return new ListTopicsResult(future);
  }

  @Override
  public DescribeTopicsResult describeTopics(
      Collection<String> topicNames, DescribeTopicsOptions options) {
    Map<String, CompletableFuture<TopicDescription>> futures = new LinkedHashMap<>();
    for (String t : topicNames) {
      futures.put(t, new CompletableFuture<>());
    }
    MetadataRequest request =
        MetadataRequest.newBuilder()
            .addAllTopics(futures.keySet())
            .setAllowAutoTopicCreation(false)
            .build();
    calls.submit(
        "describeTopics",
        timeout(options),
        stub -> stub.metadata(request),
        (MetadataResponse resp) -> {
          Map<Integer, Node> nodes = nodes(resp.getBrokersList());
          for (TopicMetadata t : resp.getTopicsList()) {
            CompletableFuture<TopicDescription> f = futures.get(t.getName());
            if (f == null) {
              continue;
            }
            if (t.getError() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
              f.completeExceptionally(
                  new UnknownTopicOrPartitionException(
                      "This server does not host this topic-partition."));
            } else if (t.getError() != ErrorCode.NONE
                && t.getError() != ErrorCode.LEADER_NOT_AVAILABLE) {
              f.completeExceptionally(ErrorMapping.exception(t.getError(), t.getName()));
            } else {
              f.complete(describe(t, nodes));
            }
          }
          futures
              .values()
              .forEach(
                  f ->
                      f.completeExceptionally(
                          new UnknownTopicOrPartitionException(
                              "This server does not host this topic-partition.")));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return new DescribeTopicsResult(futures);
  }

  static TopicDescription describe(TopicMetadata t, Map<Integer, Node> nodes) {
    List<TopicPartitionInfo> parts = new ArrayList<>();
    for (PartitionMetadata p : t.getPartitionsList()) {
      Node leader = p.getLeader() >= 0 ? node(p.getLeader(), nodes) : null;
      parts.add(
          new TopicPartitionInfo(
              p.getPartition(),
              leader,
              p.getReplicasList().stream().map(id -> node(id, nodes)).toList(),
              p.getIsrList().stream().map(id -> node(id, nodes)).toList()));
    }
    parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    return new TopicDescription(t.getName(), t.getIsInternal(), parts, t.getTopicId());
  }

  private static Node node(int id, Map<Integer, Node> nodes) {
    Node n = nodes.get(id);
    return n != null ? n : new Node(id, "", -1);
  }

  static Map<Integer, Node> nodes(List<BrokerEndpoint> brokers) {
    Map<Integer, Node> out = new HashMap<>();
    for (BrokerEndpoint b : brokers) {
      out.put(b.getId(), new Node(b.getId(), b.getHost(), b.getPort(), b.getRack()));
    }
    return out;
  }

  @Override
  public DescribeClusterResult describeCluster(DescribeClusterOptions options) {
    CompletableFuture<DescribeClusterResponse> resp = new CompletableFuture<>();
    calls.submit(
        "describeCluster",
        timeout(options),
        stub -> stub.describeCluster(DescribeClusterRequest.getDefaultInstance()),
        (DescribeClusterResponse r) -> {
          resp.complete(r);
          return null;
        },
        resp::completeExceptionally);
    return new DescribeClusterResult(
        resp.thenApply(r -> List.copyOf(nodes(r.getBrokersList()).values())),
        resp.thenApply(r -> nodes(r.getBrokersList()).get(r.getControllerId())),
        resp.thenApply(DescribeClusterResponse::getClusterId));
  }

  @Override
  public DescribeConfigsResult describeConfigs(
      Collection<ConfigResource> resources, DescribeConfigsOptions options) {
    return new DescribeConfigsResult(operations.describeConfigs(resources, timeout(options)));
  }

  @Override
  public ListOffsetsResult listOffsets(
      Map<TopicPartition, OffsetSpec> topicPartitionOffsets, ListOffsetsOptions options) {
    return offsets.listOffsets(topicPartitionOffsets, timeout(options));
  }

  @Override
  public ListConsumerGroupsResult listConsumerGroups(ListConsumerGroupsOptions options) {
    return groups.listConsumerGroups(options.states(), timeout(options));
  }

  @Override
  public DescribeConsumerGroupsResult describeConsumerGroups(
      Collection<String> groupIds, DescribeConsumerGroupsOptions options) {
    return groups.describeConsumerGroups(groupIds, timeout(options));
  }

  @Override
  public ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      Map<String, ListConsumerGroupOffsetsSpec> groupSpecs,
      ListConsumerGroupOffsetsOptions options) {
    return groups.listConsumerGroupOffsets(groupSpecs, timeout(options));
  }

  @Override
  public AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(
      String groupId,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      AlterConsumerGroupOffsetsOptions options) {
    return groups.alterConsumerGroupOffsets(groupId, offsets, timeout(options));
  }

  @Override
  public DeleteConsumerGroupsResult deleteConsumerGroups(
      Collection<String> groupIds, DeleteConsumerGroupsOptions options) {
    return groups.deleteConsumerGroups(groupIds, timeout(options));
  }

  @Override
  public DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(
      String groupId, Set<TopicPartition> partitions, DeleteConsumerGroupOffsetsOptions options) {
    return groups.deleteConsumerGroupOffsets(groupId, partitions, timeout(options));
  }

  @Override
  public RemoveMembersFromConsumerGroupResult removeMembersFromConsumerGroup(
      String groupId, RemoveMembersFromConsumerGroupOptions options) {
    return groups.removeMembersFromConsumerGroup(groupId, options, timeout(options));
  }

  @Override
  public AlterConfigsResult incrementalAlterConfigs(
      Map<ConfigResource, Collection<AlterConfigOp>> configs, AlterConfigsOptions options) {
    return new AlterConfigsResult(
        operations.incrementalAlterConfigs(
            configs, options.shouldValidateOnly(), timeout(options)));
  }

  @Override
  public AlterPartitionReassignmentsResult alterPartitionReassignments(
      Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments,
      AlterPartitionReassignmentsOptions options) {
    return new AlterPartitionReassignmentsResult(
        operations.alterPartitionReassignments(
            reassignments, options.shouldValidateOnly(), timeout(options)));
  }

  @Override
  public ListPartitionReassignmentsResult listPartitionReassignments(
      Optional<Set<TopicPartition>> partitions, ListPartitionReassignmentsOptions options) {
    return new ListPartitionReassignmentsResult(
        operations.listPartitionReassignments(partitions, timeout(options)));
  }

  @Override
  public ElectLeadersResult electLeaders(
      ElectionType electionType, Set<TopicPartition> partitions, ElectLeadersOptions options) {
    return new ElectLeadersResult(
        operations.electLeaders(electionType, partitions, timeout(options)));
  }

  @Override
  public void close(Duration timeout) {
    long ms = Math.min(timeout.toMillis(), 30_000);
    calls.close(ms);
    channels.close(Math.max(0, ms));
  }
}
