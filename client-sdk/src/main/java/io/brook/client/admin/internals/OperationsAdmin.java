package io.brook.client.admin.internals;

import io.brook.client.admin.AlterConfigOp;
import io.brook.client.admin.Config;
import io.brook.client.admin.ConfigEntry;
import io.brook.client.admin.ConfigResource;
import io.brook.client.admin.ElectionType;
import io.brook.client.admin.NewPartitionReassignment;
import io.brook.client.admin.PartitionReassignment;
import io.brook.client.common.Node;
import io.brook.client.common.errors.BrokerNotAvailableException;
import io.brook.client.common.errors.BrookException;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterConfigOpType;
import io.brook.protocol.v1.AlterConfigsResource;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterableConfig;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ConfigResourceType;
import io.brook.protocol.v1.ConfigSource;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.ElectLeadersPartitionResult;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ElectLeadersTopicResult;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.OngoingPartitionReassignment;
import io.brook.protocol.v1.OngoingTopicReassignment;
import io.brook.protocol.v1.ReassignablePartition;
import io.brook.protocol.v1.ReassignablePartitionResult;
import io.brook.protocol.v1.ReassignableTopic;
import io.brook.protocol.v1.ReassignableTopicResult;
import io.brook.protocol.v1.TopicPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The operations calls of the admin client (KIP-339 incrementalAlterConfigs, KIP-455 partition
 * reassignments, KIP-460 leader elections): each sent to any broker, which forwards it to the
 * active controller. NOT_CONTROLLER (the controller is moving) is retried by {@link AdminCalls};
 * domain errors complete the per-resource or per-partition futures with the client's exception
 * carrying the controller's message. Thread-safe (stateless over {@link AdminCalls}).
 */
public final class OperationsAdmin {
  private final AdminCalls calls;

  public OperationsAdmin(AdminCalls calls) {
    this.calls = calls;
  }

  private static int intTimeout(long timeoutMs) {
    return (int) Math.min(Integer.MAX_VALUE, timeoutMs);
  }

  /** The wire resource of a client resource. */
  public static io.brook.protocol.v1.ConfigResource toWire(ConfigResource r) {
    return io.brook.protocol.v1.ConfigResource.newBuilder()
        .setType(
            switch (r.type()) {
              case TOPIC -> ConfigResourceType.TOPIC;
              case BROKER -> ConfigResourceType.BROKER;
              default -> ConfigResourceType.CONFIG_RESOURCE_UNKNOWN;
            })
        .setName(r.name())
        .build();
  }

  /** The client resource of a wire resource. */
  public static ConfigResource fromWire(io.brook.protocol.v1.ConfigResource r) {
    return new ConfigResource(
        switch (r.getType()) {
          case TOPIC -> ConfigResource.Type.TOPIC;
          case BROKER -> ConfigResource.Type.BROKER;
          default -> ConfigResource.Type.UNKNOWN;
        },
        r.getName());
  }

  /**
   * Describes configs. A broker's own configs (a BROKER resource named by its id) are answered by
   * that broker only, as in Kafka: such resources are sent to their broker (found through
   * DescribeCluster); topics and the cluster-wide broker default go to any broker.
   */
  public Map<ConfigResource, CompletableFuture<Config>> describeConfigs(
      Collection<ConfigResource> resources, long timeoutMs) {
    Map<ConfigResource, CompletableFuture<Config>> futures = new LinkedHashMap<>();
    Map<Integer, List<ConfigResource>> byBroker = new TreeMap<>();
    List<ConfigResource> anyBroker = new ArrayList<>();
    for (ConfigResource r : resources) {
      if (futures.putIfAbsent(r, new CompletableFuture<>()) != null) {
        continue;
      }
      if (r.type() == ConfigResource.Type.BROKER && r.name().matches("\\d{1,9}")) {
        byBroker.computeIfAbsent(Integer.parseInt(r.name()), b -> new ArrayList<>()).add(r);
      } else {
        anyBroker.add(r);
      }
    }
    if (!anyBroker.isEmpty()) {
      describeConfigsAt(null, anyBroker, futures, timeoutMs);
    }
    byBroker.forEach((id, rs) -> describeConfigsAt(id, rs, futures, timeoutMs));
    return futures;
  }

  private void describeConfigsAt(
      Integer brokerId,
      List<ConfigResource> resources,
      Map<ConfigResource, CompletableFuture<Config>> futures,
      long timeoutMs) {
    DescribeConfigsRequest.Builder req = DescribeConfigsRequest.newBuilder();
    resources.forEach(r -> req.addResources(toWire(r)));
    DescribeConfigsRequest request = req.build();
    List<CompletableFuture<Config>> mine = resources.stream().map(futures::get).toList();
    calls.submitRouted(
        "describeConfigs",
        timeoutMs,
        (any, stubs) -> {
          if (brokerId == null) {
            return any.describeConfigs(request);
          }
          DescribeClusterResponse cluster =
              any.describeCluster(DescribeClusterRequest.getDefaultInstance());
          for (BrokerEndpoint b : cluster.getBrokersList()) {
            if (b.getId() == brokerId) {
              return stubs
                  .to(new Node(b.getId(), b.getHost(), b.getPort(), b.getRack()))
                  .describeConfigs(request);
            }
          }
          throw new BrokerNotAvailableException(
              "Broker "
                  + brokerId
                  + " is not available (live brokers: "
                  + cluster.getBrokersList().stream()
                      .map(b -> Integer.toString(b.getId()))
                      .sorted()
                      .collect(Collectors.joining(","))
                  + ")");
        },
        (DescribeConfigsResponse resp) -> {
          for (io.brook.protocol.v1.DescribeConfigsResult r : resp.getResultsList()) {
            CompletableFuture<Config> f = futures.get(fromWire(r.getResource()));
            if (f == null) {
              continue;
            }
            if (r.getError() != ErrorCode.NONE) {
              f.completeExceptionally(ErrorMapping.exception(r.getError(), r.getErrorMessage()));
              continue;
            }
            List<ConfigEntry> entries = new ArrayList<>();
            for (io.brook.protocol.v1.ConfigEntry e : r.getEntriesList()) {
              entries.add(
                  new ConfigEntry(
                      e.getName(),
                      e.getValue(),
                      source(e.getSource()),
                      e.getSensitive(),
                      e.getReadOnly()));
            }
            f.complete(new Config(entries));
          }
          mine.forEach(f -> f.completeExceptionally(noAnswer("resource")));
          return null;
        },
        failure -> mine.forEach(f -> f.completeExceptionally(failure)));
  }

  private static ConfigEntry.ConfigSource source(ConfigSource s) {
    return switch (s) {
      case DYNAMIC_TOPIC_CONFIG -> ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
      case DYNAMIC_BROKER_CONFIG -> ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG;
      case DYNAMIC_DEFAULT_BROKER_CONFIG -> ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
      case STATIC_BROKER_CONFIG -> ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG;
      case DEFAULT_CONFIG -> ConfigEntry.ConfigSource.DEFAULT_CONFIG;
      default -> ConfigEntry.ConfigSource.UNKNOWN;
    };
  }

  public Map<ConfigResource, CompletableFuture<Void>> incrementalAlterConfigs(
      Map<ConfigResource, Collection<AlterConfigOp>> configs,
      boolean validateOnly,
      long timeoutMs) {
    Map<ConfigResource, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    IncrementalAlterConfigsRequest.Builder req =
        IncrementalAlterConfigsRequest.newBuilder()
            .setValidateOnly(validateOnly)
            .setTimeoutMs(intTimeout(timeoutMs));
    configs.forEach(
        (resource, ops) -> {
          futures.put(resource, new CompletableFuture<>());
          AlterConfigsResource.Builder r =
              AlterConfigsResource.newBuilder().setResource(toWire(resource));
          for (AlterConfigOp op : ops) {
            String value = op.configEntry().value();
            r.addConfigs(
                AlterableConfig.newBuilder()
                    .setName(op.configEntry().name())
                    .setOp(AlterConfigOpType.valueOf(op.opType().name()))
                    .setValue(value == null ? "" : value));
          }
          req.addResources(r);
        });
    if (futures.isEmpty()) {
      return futures;
    }
    IncrementalAlterConfigsRequest request = req.build();
    calls.submit(
        "incrementalAlterConfigs",
        timeoutMs,
        stub -> stub.incrementalAlterConfigs(request),
        (IncrementalAlterConfigsResponse resp) -> {
          for (AlterConfigsResourceResult r : resp.getResultsList()) {
            if (r.getError() == ErrorCode.NOT_CONTROLLER) {
              throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
            }
          }
          for (AlterConfigsResourceResult r : resp.getResultsList()) {
            CompletableFuture<Void> f = futures.get(fromWire(r.getResource()));
            if (f == null) {
              continue;
            }
            if (r.getError() == ErrorCode.NONE) {
              f.complete(null);
            } else {
              f.completeExceptionally(ErrorMapping.exception(r.getError(), r.getErrorMessage()));
            }
          }
          futures.values().forEach(f -> f.completeExceptionally(noAnswer("resource")));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return futures;
  }

  public Map<TopicPartition, CompletableFuture<Void>> alterPartitionReassignments(
      Map<TopicPartition, Optional<NewPartitionReassignment>> reassignments,
      boolean validateOnly,
      long timeoutMs) {
    Map<TopicPartition, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    Map<String, ReassignableTopic.Builder> topics = new TreeMap<>();
    reassignments.forEach(
        (tp, target) -> {
          futures.put(tp, new CompletableFuture<>());
          ReassignablePartition.Builder p =
              ReassignablePartition.newBuilder().setPartition(tp.partition());
          if (target.isPresent()) {
            p.addAllReplicas(target.get().targetReplicas());
          } else {
            p.setCancel(true);
          }
          topics
              .computeIfAbsent(tp.topic(), t -> ReassignableTopic.newBuilder().setName(t))
              .addPartitions(p);
        });
    if (futures.isEmpty()) {
      return futures;
    }
    AlterPartitionReassignmentsRequest.Builder b =
        AlterPartitionReassignmentsRequest.newBuilder()
            .setValidateOnly(validateOnly)
            .setTimeoutMs(intTimeout(timeoutMs));
    topics.values().forEach(b::addTopics);
    AlterPartitionReassignmentsRequest request = b.build();
    calls.submit(
        "alterPartitionReassignments",
        timeoutMs,
        stub -> stub.alterPartitionReassignments(request),
        (AlterPartitionReassignmentsResponse resp) -> {
          if (resp.getError() == ErrorCode.NOT_CONTROLLER) {
            throw ErrorMapping.exception(resp.getError(), resp.getErrorMessage());
          }
          for (ReassignableTopicResult t : resp.getTopicsList()) {
            for (ReassignablePartitionResult p : t.getPartitionsList()) {
              CompletableFuture<Void> f =
                  futures.get(new TopicPartition(t.getName(), p.getPartition()));
              if (f == null) {
                continue;
              }
              if (p.getError() == ErrorCode.NONE && resp.getError() == ErrorCode.NONE) {
                f.complete(null);
              } else if (p.getError() != ErrorCode.NONE) {
                f.completeExceptionally(ErrorMapping.exception(p.getError(), p.getErrorMessage()));
              }
            }
          }
          // Partitions the answer did not mention: the whole-request error, if any.
          BrookException rest =
              resp.getError() != ErrorCode.NONE
                  ? ErrorMapping.exception(resp.getError(), resp.getErrorMessage())
                  : noAnswer("partition");
          futures.values().forEach(f -> f.completeExceptionally(rest));
          return null;
        },
        failure -> futures.values().forEach(f -> f.completeExceptionally(failure)));
    return futures;
  }

  /**
   * @param partitions the partitions to report on; empty: every reassignment in progress
   */
  public CompletableFuture<Map<TopicPartition, PartitionReassignment>> listPartitionReassignments(
      Optional<Set<TopicPartition>> partitions, long timeoutMs) {
    CompletableFuture<Map<TopicPartition, PartitionReassignment>> future =
        new CompletableFuture<>();
    ListPartitionReassignmentsRequest.Builder b =
        ListPartitionReassignmentsRequest.newBuilder().setTimeoutMs(intTimeout(timeoutMs));
    partitions.ifPresent(ps -> byTopic(ps).forEach(b::addTopics));
    ListPartitionReassignmentsRequest request = b.build();
    calls.submit(
        "listPartitionReassignments",
        timeoutMs,
        stub -> stub.listPartitionReassignments(request),
        (ListPartitionReassignmentsResponse resp) -> {
          if (resp.getError() == ErrorCode.NOT_CONTROLLER) {
            throw ErrorMapping.exception(resp.getError(), resp.getErrorMessage());
          }
          if (resp.getError() != ErrorCode.NONE) {
            future.completeExceptionally(
                ErrorMapping.exception(resp.getError(), resp.getErrorMessage()));
            return null;
          }
          Map<TopicPartition, PartitionReassignment> out = new LinkedHashMap<>();
          for (OngoingTopicReassignment t : resp.getTopicsList()) {
            for (OngoingPartitionReassignment p : t.getPartitionsList()) {
              out.put(
                  new TopicPartition(t.getName(), p.getPartition()),
                  new PartitionReassignment(
                      p.getReplicasList(), p.getAddingReplicasList(), p.getRemovingReplicasList()));
            }
          }
          future.complete(out);
          return null;
        },
        future::completeExceptionally);
    return future;
  }

  /**
   * @param partitions the partitions to elect leaders for; null: every partition
   */
  public CompletableFuture<Map<TopicPartition, Optional<Throwable>>> electLeaders(
      ElectionType type, Set<TopicPartition> partitions, long timeoutMs) {
    CompletableFuture<Map<TopicPartition, Optional<Throwable>>> future = new CompletableFuture<>();
    ElectLeadersRequest.Builder b =
        ElectLeadersRequest.newBuilder()
            .setElectionType(io.brook.protocol.v1.ElectionType.valueOf(type.name()))
            .setTimeoutMs(intTimeout(timeoutMs));
    if (partitions == null) {
      b.setAllPartitions(true);
    } else if (partitions.isEmpty()) {
      future.complete(Map.of());
      return future;
    } else {
      byTopic(partitions).forEach(b::addTopicPartitions);
    }
    ElectLeadersRequest request = b.build();
    calls.submit(
        "electLeaders",
        timeoutMs,
        stub -> stub.electLeaders(request),
        (ElectLeadersResponse resp) -> {
          if (resp.getError() == ErrorCode.NOT_CONTROLLER) {
            throw ErrorMapping.exception(resp.getError(), resp.getErrorMessage());
          }
          if (resp.getError() != ErrorCode.NONE) {
            future.completeExceptionally(
                ErrorMapping.exception(resp.getError(), resp.getErrorMessage()));
            return null;
          }
          Map<TopicPartition, Optional<Throwable>> out = new LinkedHashMap<>();
          for (ElectLeadersTopicResult t : resp.getTopicsList()) {
            for (ElectLeadersPartitionResult p : t.getPartitionsList()) {
              out.put(
                  new TopicPartition(t.getTopic(), p.getPartition()),
                  p.getError() == ErrorCode.NONE
                      ? Optional.empty()
                      : Optional.of(ErrorMapping.exception(p.getError(), p.getErrorMessage())));
            }
          }
          if (partitions != null) {
            for (TopicPartition tp : partitions) {
              out.putIfAbsent(tp, Optional.of(noAnswer("partition")));
            }
          }
          future.complete(out);
          return null;
        },
        future::completeExceptionally);
    return future;
  }

  private static List<TopicPartitions> byTopic(Collection<TopicPartition> partitions) {
    Map<String, TopicPartitions.Builder> m = new TreeMap<>();
    partitions.stream()
        .sorted()
        .forEach(
            tp ->
                m.computeIfAbsent(tp.topic(), t -> TopicPartitions.newBuilder().setTopic(t))
                    .addPartitions(tp.partition()));
    return m.values().stream().map(TopicPartitions.Builder::build).toList();
  }

  private static BrookException noAnswer(String what) {
    return new BrookException("the controller's response did not mention this " + what);
  }
}
