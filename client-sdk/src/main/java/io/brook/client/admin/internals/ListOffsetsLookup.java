package io.brook.client.admin.internals;

import io.brook.client.admin.ListOffsetsResult;
import io.brook.client.admin.ListOffsetsResult.ListOffsetsResultInfo;
import io.brook.client.admin.OffsetSpec;
import io.brook.client.common.Node;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.LeaderNotAvailableException;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IsolationLevel;
import io.brook.protocol.v1.ListOffsetsPartition;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListOffsetsTopic;
import io.brook.protocol.v1.ListOffsetsTopicResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.TopicMetadata;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The admin client's listOffsets (Kafka's {@code Admin.listOffsets}): each attempt reads the
 * partitions' leaders from a Metadata answer, sends one ListOffsets per leader and completes the
 * partitions answered; a retriable error (no leader yet, NOT_LEADER_OR_FOLLOWER, a leader that
 * cannot be reached) makes the attempt retriable for the partitions still open. An unknown topic
 * fails its partitions at once. Thread-safe.
 */
public final class ListOffsetsLookup {
  private final AdminCalls calls;

  public ListOffsetsLookup(AdminCalls calls) {
    this.calls = calls;
  }

  public ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> specs, long timeoutMs) {
    Map<TopicPartition, CompletableFuture<ListOffsetsResultInfo>> futures = new LinkedHashMap<>();
    specs.keySet().forEach(tp -> futures.put(tp, new CompletableFuture<>()));
    if (futures.isEmpty()) {
      return new ListOffsetsResult(futures);
    }
    calls.submitRouted(
        "listOffsets",
        timeoutMs,
        (any, stubs) -> {
          Map<TopicPartition, OffsetSpec> open = new LinkedHashMap<>();
          specs.forEach(
              (tp, spec) -> {
                if (!futures.get(tp).isDone()) {
                  open.put(tp, spec);
                }
              });
          MetadataResponse md =
              any.metadata(
                  MetadataRequest.newBuilder()
                      .addAllTopics(
                          open.keySet().stream().map(TopicPartition::topic).distinct().toList())
                      .build());
          Map<Integer, Node> brokers = new HashMap<>();
          for (BrokerEndpoint b : md.getBrokersList()) {
            brokers.put(b.getId(), new Node(b.getId(), b.getHost(), b.getPort(), b.getRack()));
          }
          Map<String, TopicMetadata> topics = new HashMap<>();
          md.getTopicsList().forEach(t -> topics.put(t.getName(), t));
          RetriableException retry = null;
          // leader -> topic -> partitions
          Map<Node, Map<String, ListOffsetsTopic.Builder>> byLeader = new LinkedHashMap<>();
          for (Map.Entry<TopicPartition, OffsetSpec> e : open.entrySet()) {
            TopicPartition tp = e.getKey();
            TopicMetadata t = topics.get(tp.topic());
            if (t == null || t.getError() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
              futures
                  .get(tp)
                  .completeExceptionally(
                      new UnknownTopicOrPartitionException(
                          "This server does not host this topic-partition: " + tp));
              continue;
            }
            PartitionMetadata pm =
                t.getPartitionsList().stream()
                    .filter(p -> p.getPartition() == tp.partition())
                    .findFirst()
                    .orElse(null);
            if (pm == null && t.getError() == ErrorCode.NONE) {
              futures
                  .get(tp)
                  .completeExceptionally(
                      new UnknownTopicOrPartitionException(
                          "Topic " + tp.topic() + " has no partition " + tp.partition()));
              continue;
            }
            Node leader = pm == null ? null : brokers.get(pm.getLeader());
            if (leader == null) {
              retry = new LeaderNotAvailableException("No leader for " + tp + " yet");
              continue;
            }
            byLeader
                .computeIfAbsent(leader, n -> new TreeMap<>())
                .computeIfAbsent(tp.topic(), n -> ListOffsetsTopic.newBuilder().setTopic(n))
                .addPartitions(
                    ListOffsetsPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setTimestamp(e.getValue().timestamp())
                        .setCurrentLeaderEpoch(-1));
          }
          for (Map.Entry<Node, Map<String, ListOffsetsTopic.Builder>> e : byLeader.entrySet()) {
            ListOffsetsRequest.Builder req =
                ListOffsetsRequest.newBuilder()
                    .setReplicaId(-1)
                    .setIsolationLevel(IsolationLevel.READ_UNCOMMITTED);
            e.getValue().values().forEach(req::addTopics);
            ListOffsetsResponse resp;
            try {
              resp = stubs.to(e.getKey()).listOffsets(req.build());
            } catch (io.grpc.StatusRuntimeException ex) {
              BrookException failure =
                  ErrorMapping.fromStatus(ex, e.getKey().host() + ":" + e.getKey().port());
              if (failure instanceof RetriableException r) {
                retry = r;
                continue;
              }
              throw failure;
            }
            for (ListOffsetsTopicResponse t : resp.getTopicsList()) {
              for (ListOffsetsPartitionResponse p : t.getPartitionsList()) {
                CompletableFuture<ListOffsetsResultInfo> f =
                    futures.get(new TopicPartition(t.getTopic(), p.getPartition()));
                if (f == null) {
                  continue;
                }
                if (p.getError() == ErrorCode.NONE) {
                  f.complete(
                      new ListOffsetsResultInfo(
                          p.getOffset(),
                          p.getTimestamp(),
                          p.getLeaderEpoch() < 0
                              ? Optional.empty()
                              : Optional.of(p.getLeaderEpoch())));
                  continue;
                }
                BrookException failure = ErrorMapping.exception(p.getError(), p.getErrorMessage());
                if (failure instanceof RetriableException r
                    && p.getError() != ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                  retry = r;
                } else {
                  f.completeExceptionally(failure);
                }
              }
            }
          }
          if (retry != null) {
            throw retry;
          }
          return null;
        },
        (Object ignored) -> {
          futures
              .values()
              .forEach(
                  f ->
                      f.completeExceptionally(
                          new BrookException(
                              "the leader's response did not mention this partition")));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return new ListOffsetsResult(futures);
  }
}
