package io.brook.broker.server;

import io.brook.broker.group.GroupCoordinator;
import io.brook.broker.group.GroupStore;
import io.brook.broker.log.Log;
import io.brook.broker.log.TimestampAndOffset;
import io.brook.broker.replica.ApiException;
import io.brook.broker.replica.ErrorMapper;
import io.brook.broker.replica.Partition;
import io.brook.broker.replica.ReplicaManager;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.CoordinatorType;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeletableTopicResult;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListOffsetsPartition;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListOffsetsTopic;
import io.brook.protocol.v1.ListOffsetsTopicResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitPartitionResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitTopicResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import io.brook.protocol.v1.TopicMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's answers to clients ({@link BrokerApi}): metadata from the {@link MetadataCache},
 * produce / fetch / list-offsets through the {@link ReplicaManager}, admin calls through the {@link
 * AdminForwarder}, configs through {@link ConfigDescriber}, group calls through the {@link
 * GroupCoordinator} (FindCoordinator from the metadata cache, creating {@code __consumer_offsets}
 * through the controller on first need, as Kafka's {@code KafkaApis.handleFindCoordinatorRequest}).
 * Clients may not produce to {@code __consumer_offsets} (refused by the replica manager) nor delete
 * it (INVALID_TOPIC).
 *
 * <p>Stateless apart from its collaborators and the flag of a creation of {@code
 * __consumer_offsets} in flight; thread-safe.
 */
public final class BrokerRequestHandler implements BrokerApi {
  private static final Logger log = LogManager.getLogger(BrokerRequestHandler.class);

  private final BrokerConfig config;
  private final MetadataCache cache;
  private final ReplicaManager replicaManager;
  private final AdminForwarder forwarder;
  private final ConfigDescriber configDescriber;
  private final ProducerIdManager producerIds;
  private final GroupCoordinator groupCoordinator;
  private final GroupStore groupStore;
  private final AtomicBoolean creatingOffsetsTopic = new AtomicBoolean();

  /** Without producer ids: InitProducerId answers BROKER_NOT_AVAILABLE. */
  public BrokerRequestHandler(
      BrokerConfig config,
      MetadataCache cache,
      ReplicaManager replicaManager,
      AdminForwarder forwarder) {
    this(config, cache, replicaManager, forwarder, null);
  }

  public BrokerRequestHandler(
      BrokerConfig config,
      MetadataCache cache,
      ReplicaManager replicaManager,
      AdminForwarder forwarder,
      ProducerIdManager producerIds) {
    this(config, cache, replicaManager, forwarder, producerIds, null, null);
  }

  /**
   * @param groupCoordinator answers the group calls; null: they get BrokerApi's defaults
   *     (COORDINATOR_NOT_AVAILABLE)
   * @param groupStore where groups live (for FindCoordinator's partitionFor)
   */
  public BrokerRequestHandler(
      BrokerConfig config,
      MetadataCache cache,
      ReplicaManager replicaManager,
      AdminForwarder forwarder,
      ProducerIdManager producerIds,
      GroupCoordinator groupCoordinator,
      GroupStore groupStore) {
    this.producerIds = producerIds;
    this.groupCoordinator = groupCoordinator;
    this.groupStore = groupStore;
    this.config = config;
    this.cache = cache;
    this.replicaManager = replicaManager;
    this.forwarder = forwarder;
    this.configDescriber = new ConfigDescriber(config, cache);
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public CompletableFuture<MetadataResponse> metadata(MetadataRequest req) {
    MetadataCache.Snapshot s = cache.snapshot();
    MetadataResponse.Builder b =
        MetadataResponse.newBuilder()
            .setClusterId(s.clusterId())
            .setControllerId(s.controllerId())
            .addAllBrokers(s.liveBrokers().values());
    Collection<String> names =
        req.getAllTopics() && req.getTopicsCount() == 0 ? s.topics().keySet() : req.getTopicsList();
    for (String name : names) {
      MetadataCache.TopicView view = s.topics().get(name);
      if (view != null) {
        b.addTopics(describe(view, s));
        continue;
      }
      TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(name);
      Optional<String> invalid = Topic.invalidReason(name);
      if (invalid.isPresent()) {
        tm.setError(ErrorCode.INVALID_TOPIC);
      } else if (req.getAllowAutoTopicCreation() && config.autoCreateTopicsEnable()) {
        forwarder.autoCreate(name);
        tm.setError(ErrorCode.LEADER_NOT_AVAILABLE);
      } else {
        tm.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      b.addTopics(tm);
    }
    return CompletableFuture.completedFuture(b.build());
  }

  private static TopicMetadata describe(MetadataCache.TopicView view, MetadataCache.Snapshot s) {
    TopicMetadata.Builder tm =
        TopicMetadata.newBuilder()
            .setName(view.name())
            .setTopicId(view.topicId())
            .setIsInternal(view.isInternal() || Topic.isInternal(view.name()));
    for (PartitionState ps : view.partitions().values()) {
      boolean online = ps.getLeader() >= 0 && s.liveBrokers().containsKey(ps.getLeader());
      tm.addPartitions(
          PartitionMetadata.newBuilder()
              .setPartition(ps.getPartition())
              .setError(online ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE)
              .setLeader(online ? ps.getLeader() : -1)
              .setLeaderEpoch(ps.getLeaderEpoch())
              .addAllReplicas(ps.getReplicasList())
              .addAllIsr(ps.getIsrList())
              .addAllOfflineReplicas(ps.getOfflineReplicasList()));
    }
    return tm.build();
  }

  @Override
  public CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest req) {
    MetadataCache.Snapshot s = cache.snapshot();
    Collection<BrokerEndpoint> brokers = s.liveBrokers().values();
    return CompletableFuture.completedFuture(
        DescribeClusterResponse.newBuilder()
            .setClusterId(s.clusterId())
            .setControllerId(s.controllerId())
            .addAllBrokers(brokers)
            .build());
  }

  @Override
  public CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest req) {
    return CompletableFuture.completedFuture(configDescriber.describe(req));
  }

  // ------------------------------------------------------------------ data

  @Override
  public CompletableFuture<ProduceResponse> produce(ProduceRequest req) {
    return replicaManager.appendRecords(req);
  }

  @Override
  public CompletableFuture<FetchResponse> fetch(FetchRequest req) {
    return replicaManager.fetch(req);
  }

  @Override
  public CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest req) {
    ListOffsetsResponse.Builder b = ListOffsetsResponse.newBuilder();
    for (ListOffsetsTopic t : req.getTopicsList()) {
      ListOffsetsTopicResponse.Builder tr =
          ListOffsetsTopicResponse.newBuilder().setTopic(t.getTopic());
      for (ListOffsetsPartition lp : t.getPartitionsList()) {
        tr.addPartitions(listOffset(new TopicPartition(t.getTopic(), lp.getPartition()), lp));
      }
      b.addTopics(tr);
    }
    return CompletableFuture.completedFuture(b.build());
  }

  private ListOffsetsPartitionResponse listOffset(TopicPartition tp, ListOffsetsPartition lp) {
    ListOffsetsPartitionResponse.Builder r =
        ListOffsetsPartitionResponse.newBuilder()
            .setPartition(tp.partition())
            .setTimestamp(-1)
            .setOffset(-1)
            .setLeaderEpoch(-1);
    try {
      Partition p = replicaManager.leaderFor(tp, lp.getCurrentLeaderEpoch());
      Log log = p.log();
      long hw = p.highWatermark();
      r.setLeaderEpoch(p.leaderEpoch());
      long ts = lp.getTimestamp();
      if (ts == -2) {
        r.setOffset(log.logStartOffset());
      } else if (ts == -1) {
        r.setOffset(hw);
      } else if (ts == -3 || ts >= 0) {
        Optional<TimestampAndOffset> found =
            ts == -3 ? log.fetchOffsetForMaxTimestamp() : log.fetchOffsetByTimestamp(ts);
        // Consumers never see records at or above the high watermark.
        if (found.isPresent() && found.get().offset() < hw) {
          r.setOffset(found.get().offset()).setTimestamp(found.get().timestamp());
          if (found.get().leaderEpoch() >= 0) {
            r.setLeaderEpoch(found.get().leaderEpoch());
          }
        }
      } else {
        throw new ApiException(
            ErrorCode.INVALID_REQUEST,
            "timestamp "
                + ts
                + " is not valid: use -2 (earliest), -1 (latest), -3 (max timestamp) or >= 0");
      }
    } catch (RuntimeException e) {
      r.setError(ErrorMapper.code(e)).setErrorMessage(ErrorMapper.message(e));
    }
    return r.build();
  }

  // ------------------------------------------------------------------ admin

  @Override
  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest req) {
    return forwarder.createTopics(req);
  }

  /**
   * Deletes topics through the controller; internal topics are refused with INVALID_TOPIC (Kafka's
   * "Topic __consumer_offsets is a Kafka internal topic and is not allowed to be marked for
   * deletion."), the others are forwarded.
   */
  @Override
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest req) {
    List<String> internal = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String t : req.getTopicNamesList()) {
      (Topic.isInternal(t) ? internal : others).add(t);
    }
    if (internal.isEmpty()) {
      return forwarder.deleteTopics(req);
    }
    CompletableFuture<DeleteTopicsResponse> rest =
        others.isEmpty()
            ? CompletableFuture.completedFuture(DeleteTopicsResponse.getDefaultInstance())
            : forwarder.deleteTopics(
                req.toBuilder().clearTopicNames().addAllTopicNames(others).build());
    return rest.thenApply(
        r -> {
          Map<String, DeletableTopicResult> byName = new LinkedHashMap<>();
          r.getTopicsList().forEach(t -> byName.put(t.getName(), t));
          for (String t : internal) {
            byName.put(
                t,
                DeletableTopicResult.newBuilder()
                    .setName(t)
                    .setError(ErrorCode.INVALID_TOPIC)
                    .setErrorMessage(
                        "Topic "
                            + t
                            + " is an internal topic and is not allowed to be marked for deletion.")
                    .build());
          }
          DeleteTopicsResponse.Builder b = DeleteTopicsResponse.newBuilder();
          for (String t : req.getTopicNamesList()) {
            DeletableTopicResult res = byName.get(t);
            if (res != null) {
              b.addTopics(res);
            }
          }
          return b.build();
        });
  }

  @Override
  public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest req) {
    return forwarder.createPartitions(req);
  }

  // ------------------------------------------------------------------ groups

  /**
   * The coordinator of a group: the live leader of partition {@code partitionFor(key)} of {@code
   * __consumer_offsets}, from the metadata cache. INVALID_GROUP_ID for an empty key. When the topic
   * does not exist yet, asks the controller to create it (once at a time) with {@code
   * offsets.topic.num.partitions} partitions, {@code offsets.topic.replication.factor} replicas and
   * {@code cleanup.policy=compact}, and answers COORDINATOR_NOT_AVAILABLE meanwhile (also while
   * fewer brokers are live than the replication factor, as Kafka).
   */
  @Override
  public CompletableFuture<FindCoordinatorResponse> findCoordinator(FindCoordinatorRequest req) {
    if (groupStore == null) {
      return BrokerApi.super.findCoordinator(req);
    }
    if (req.getKeyType() != CoordinatorType.GROUP) {
      return findCoordinatorError(
          ErrorCode.INVALID_REQUEST, "Unsupported coordinator type " + req.getKeyType());
    }
    if (req.getKey().isEmpty()) {
      return findCoordinatorError(ErrorCode.INVALID_GROUP_ID, "The group id must not be empty");
    }
    MetadataCache.Snapshot s = cache.snapshot();
    MetadataCache.TopicView offsets = s.topics().get(Topic.CONSUMER_OFFSETS);
    if (offsets == null || offsets.partitions().isEmpty()) {
      return findCoordinatorError(ErrorCode.COORDINATOR_NOT_AVAILABLE, createOffsetsTopic(s));
    }
    int partition = groupStore.partitionFor(req.getKey());
    PartitionState ps = offsets.partitions().get(partition);
    BrokerEndpoint leader = ps == null ? null : s.liveBrokers().get(ps.getLeader());
    if (leader == null) {
      return findCoordinatorError(
          ErrorCode.COORDINATOR_NOT_AVAILABLE,
          "Partition "
              + partition
              + " of "
              + Topic.CONSUMER_OFFSETS
              + " (group "
              + req.getKey()
              + ") has no live leader");
    }
    return CompletableFuture.completedFuture(
        FindCoordinatorResponse.newBuilder()
            .setError(ErrorCode.NONE)
            .setCoordinator(leader)
            .build());
  }

  private static CompletableFuture<FindCoordinatorResponse> findCoordinatorError(
      ErrorCode error, String message) {
    return CompletableFuture.completedFuture(
        FindCoordinatorResponse.newBuilder().setError(error).setErrorMessage(message).build());
  }

  /**
   * Asks the controller to create {@code __consumer_offsets} unless a request is in flight or too
   * few brokers are live; returns why the coordinator is not available yet.
   */
  private String createOffsetsTopic(MetadataCache.Snapshot s) {
    int rf = config.getInt(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR);
    int partitions = config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS);
    int live = s.liveBrokers().size();
    if (live < rf) {
      return "Number of alive brokers '"
          + live
          + "' does not meet the required replication factor '"
          + rf
          + "' for the offsets topic (configured via '"
          + BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR
          + "'). This error can be ignored if the cluster is starting up and not all brokers are"
          + " up yet.";
    }
    if (creatingOffsetsTopic.compareAndSet(false, true)) {
      log.info(
          "Creating topic {} with {} partitions and replication factor {}",
          Topic.CONSUMER_OFFSETS,
          partitions,
          rf);
      CreateTopicsRequest create =
          CreateTopicsRequest.newBuilder()
              .addTopics(
                  CreatableTopic.newBuilder()
                      .setName(Topic.CONSUMER_OFFSETS)
                      .setNumPartitions(partitions)
                      .setReplicationFactor(rf)
                      .putConfigs(TopicConfigs.CLEANUP_POLICY, "compact")
                      .putConfigs(
                          TopicConfigs.SEGMENT_BYTES,
                          String.valueOf(config.getInt(BrokerConfig.OFFSETS_TOPIC_SEGMENT_BYTES)))
                      .putConfigs(TopicConfigs.COMPRESSION_TYPE, "producer"))
              .setTimeoutMs(config.requestTimeoutMs())
              .build();
      CompletableFuture<CreateTopicsResponse> f;
      try {
        f = forwarder.createTopics(create);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete(
          (r, e) -> {
            creatingOffsetsTopic.set(false);
            if (e != null) {
              log.warn("Creation of topic {} failed", Topic.CONSUMER_OFFSETS, e);
            } else {
              r.getTopicsList().stream()
                  .filter(
                      t ->
                          t.getError() != ErrorCode.NONE
                              && t.getError() != ErrorCode.TOPIC_ALREADY_EXISTS)
                  .forEach(
                      t ->
                          log.warn(
                              "Creation of topic {} failed: {} {}",
                              Topic.CONSUMER_OFFSETS,
                              t.getError(),
                              t.getErrorMessage()));
            }
          });
    }
    return "Topic " + Topic.CONSUMER_OFFSETS + " is being created";
  }

  @Override
  public CompletableFuture<JoinGroupResponse> joinGroup(JoinGroupRequest req, String clientHost) {
    if (groupCoordinator == null) {
      return BrokerApi.super.joinGroup(req, clientHost);
    }
    return groupCoordinator.joinGroup(req, clientHost);
  }

  @Override
  public CompletableFuture<SyncGroupResponse> syncGroup(SyncGroupRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.syncGroup(req);
    }
    return groupCoordinator.syncGroup(req);
  }

  @Override
  public CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.heartbeat(req);
    }
    return groupCoordinator.heartbeat(req);
  }

  @Override
  public CompletableFuture<LeaveGroupResponse> leaveGroup(LeaveGroupRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.leaveGroup(req);
    }
    return groupCoordinator.leaveGroup(req);
  }

  /**
   * Partitions of topics the metadata does not know are answered UNKNOWN_TOPIC_OR_PARTITION here
   * (Kafka's KafkaApis.handleOffsetCommitRequest); the rest goes to the coordinator, and the two
   * answers are merged in the request's order.
   */
  @Override
  public CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.offsetCommit(req);
    }
    MetadataCache.Snapshot s = cache.snapshot();
    OffsetCommitRequest.Builder known = req.toBuilder().clearTopics();
    Map<String, Map<Integer, OffsetCommitPartitionResponse>> unknown = new LinkedHashMap<>();
    for (OffsetCommitTopic t : req.getTopicsList()) {
      MetadataCache.TopicView view = s.topics().get(t.getName());
      OffsetCommitTopic.Builder kt = OffsetCommitTopic.newBuilder().setName(t.getName());
      for (OffsetCommitPartition p : t.getPartitionsList()) {
        if (view != null && view.partitions().containsKey(p.getPartition())) {
          kt.addPartitions(p);
        } else {
          unknown
              .computeIfAbsent(t.getName(), n -> new LinkedHashMap<>())
              .put(
                  p.getPartition(),
                  OffsetCommitPartitionResponse.newBuilder()
                      .setPartition(p.getPartition())
                      .setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                      .setErrorMessage(
                          "This server does not host " + t.getName() + "-" + p.getPartition())
                      .build());
        }
      }
      if (kt.getPartitionsCount() > 0) {
        known.addTopics(kt);
      }
    }
    if (unknown.isEmpty()) {
      return groupCoordinator.offsetCommit(req);
    }
    CompletableFuture<OffsetCommitResponse> answered =
        known.getTopicsCount() == 0
            ? CompletableFuture.completedFuture(OffsetCommitResponse.getDefaultInstance())
            : groupCoordinator.offsetCommit(known.build());
    return answered.thenApply(r -> mergeCommitResponses(req, r, unknown));
  }

  private static OffsetCommitResponse mergeCommitResponses(
      OffsetCommitRequest req,
      OffsetCommitResponse fromCoordinator,
      Map<String, Map<Integer, OffsetCommitPartitionResponse>> unknown) {
    Map<String, Map<Integer, OffsetCommitPartitionResponse>> all = new LinkedHashMap<>();
    for (OffsetCommitTopicResponse t : fromCoordinator.getTopicsList()) {
      Map<Integer, OffsetCommitPartitionResponse> m =
          all.computeIfAbsent(t.getName(), n -> new LinkedHashMap<>());
      t.getPartitionsList().forEach(p -> m.put(p.getPartition(), p));
    }
    unknown.forEach((t, m) -> all.computeIfAbsent(t, n -> new LinkedHashMap<>()).putAll(m));
    OffsetCommitResponse.Builder b = OffsetCommitResponse.newBuilder();
    for (OffsetCommitTopic t : req.getTopicsList()) {
      Map<Integer, OffsetCommitPartitionResponse> m = all.remove(t.getName());
      if (m == null) {
        continue;
      }
      OffsetCommitTopicResponse.Builder tr =
          OffsetCommitTopicResponse.newBuilder().setName(t.getName());
      for (OffsetCommitPartition p : t.getPartitionsList()) {
        OffsetCommitPartitionResponse pr = m.remove(p.getPartition());
        if (pr != null) {
          tr.addPartitions(pr);
        }
      }
      m.values().forEach(tr::addPartitions);
      b.addTopics(tr);
    }
    // Whatever the coordinator answered beyond the request (should be nothing) is kept.
    all.forEach(
        (t, m) ->
            b.addTopics(
                OffsetCommitTopicResponse.newBuilder().setName(t).addAllPartitions(m.values())));
    return b.build();
  }

  @Override
  public CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.offsetFetch(req);
    }
    return groupCoordinator.offsetFetch(req);
  }

  @Override
  public CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.listGroups(req);
    }
    return CompletableFuture.completedFuture(groupCoordinator.listGroups(req));
  }

  @Override
  public CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.describeGroups(req);
    }
    return CompletableFuture.completedFuture(groupCoordinator.describeGroups(req));
  }

  @Override
  public CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.deleteGroups(req);
    }
    return groupCoordinator.deleteGroups(req);
  }

  @Override
  public CompletableFuture<OffsetDeleteResponse> offsetDelete(OffsetDeleteRequest req) {
    if (groupCoordinator == null) {
      return BrokerApi.super.offsetDelete(req);
    }
    return groupCoordinator.offsetDelete(req);
  }

  // ------------------------------------------------------------------ producer ids

  /**
   * A new producer id with epoch 0 (also for a producer that sends its old id and epoch: KIP-360,
   * this version hands out a new id). Transactions are not supported: a transactional id is
   * INVALID_REQUEST.
   */
  @Override
  public CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest req) {
    if (!req.getTransactionalId().isEmpty()) {
      return CompletableFuture.completedFuture(
          initProducerIdError(
              ErrorCode.INVALID_REQUEST,
              "Transactions are not supported: transactional_id must be empty"));
    }
    if (producerIds == null) {
      return BrokerApi.super.initProducerId(req);
    }
    return producerIds
        .generateProducerId()
        .handle(
            (id, e) -> {
              if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return initProducerIdError(ErrorCode.BROKER_NOT_AVAILABLE, cause.getMessage());
              }
              return InitProducerIdResponse.newBuilder()
                  .setError(ErrorCode.NONE)
                  .setProducerId(id)
                  .setProducerEpoch(0)
                  .build();
            });
  }

  private static InitProducerIdResponse initProducerIdError(ErrorCode error, String message) {
    return InitProducerIdResponse.newBuilder()
        .setError(error)
        .setErrorMessage(message == null ? "" : message)
        .setProducerId(-1)
        .setProducerEpoch(-1)
        .build();
  }

  /** The dynamic broker configs DescribeConfigs reports (wired by BrokerServer). */
  void setDynamicConfig(DynamicBrokerConfig dynamic) {
    configDescriber.setDynamicConfig(dynamic);
  }
}
