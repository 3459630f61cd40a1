package io.brook.broker.server;

import io.brook.broker.log.Log;
import io.brook.broker.log.TimestampAndOffset;
import io.brook.broker.replica.ApiException;
import io.brook.broker.replica.ErrorMapper;
import io.brook.broker.replica.Partition;
import io.brook.broker.replica.ReplicaManager;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.ListOffsetsPartition;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListOffsetsTopic;
import io.brook.protocol.v1.ListOffsetsTopicResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicMetadata;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's answers to clients ({@link BrokerApi}): metadata from the {@link MetadataCache},
 * produce / fetch / list-offsets through the {@link ReplicaManager}, admin calls through the {@link
 * AdminForwarder}, configs through {@link ConfigDescriber}.
 *
 * <p>Stateless apart from its collaborators; thread-safe.
 */
public final class BrokerRequestHandler implements BrokerApi {
  private final BrokerConfig config;
  private final MetadataCache cache;
  private final ReplicaManager replicaManager;
  private final AdminForwarder forwarder;
  private final ConfigDescriber configDescriber;
  private final ProducerIdManager producerIds;

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
    this.producerIds = producerIds;
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

  @Override
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest req) {
    return forwarder.deleteTopics(req);
  }

  @Override
  public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest req) {
    return forwarder.createPartitions(req);
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
}
