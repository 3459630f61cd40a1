package io.brook.client.admin;

import com.google.protobuf.ByteString;
import io.brook.client.common.Node;
import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.internals.ConsumerProtocol;
import io.brook.client.internals.ChannelFactory;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.*;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process BrokerService for admin and tool tests of consumer groups: one broker (id 1),
 * leader of every partition and coordinator of every group; topics with a log start and end per
 * partition (the record at offset o has timestamp {@code o * 1000}); groups with a state, members
 * and committed offsets, following the coordinator's rules the admin depends on (commits from
 * outside refused while the group has members, only empty groups deleted). Errors can be injected
 * before the next answers. Every request is recorded. Thread-safe.
 */
public final class FakeGroupBroker implements AutoCloseable {
  /** A group as the fake coordinator holds it. */
  public static final class Group {
    public volatile String state = "Empty";
    public volatile String protocolType = "consumer";
    public volatile String protocol = "";
    public final List<DescribedGroupMember> members = new CopyOnWriteArrayList<>();
    public final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
  }

  public final String name = "fake-groups-" + System.nanoTime();
  public final Map<String, long[][]> topics = new ConcurrentHashMap<>();
  public final Map<String, Group> groups = new ConcurrentHashMap<>();
  public final Queue<ErrorCode> findCoordinatorErrors = new ConcurrentLinkedQueue<>();

  /** Whole-request errors of the next DescribeGroups / OffsetFetch / OffsetCommit answers. */
  public final Queue<ErrorCode> coordinatorErrors = new ConcurrentLinkedQueue<>();

  public final List<OffsetCommitRequest> commits = new CopyOnWriteArrayList<>();

  /**
   * The controller side of the operations calls (configs, reassignments, elections) and the
   * cluster's brokers; a topic registered there is listed by Metadata with its replicas and leader.
   */
  public final FakeClusterOperations ops = new FakeClusterOperations();

  public final List<Object> requests = new CopyOnWriteArrayList<>();
  private final Server server;

  public FakeGroupBroker() throws IOException {
    server = InProcessServerBuilder.forName(name).addService(new Service()).build().start();
  }

  /** Brokers Metadata lists besides this one; the host "deadhost" cannot be reached. */
  public final List<BrokerEndpoint> otherBrokers = new CopyOnWriteArrayList<>();

  /** The hosts the admin client opened channels to, in order. */
  public final List<String> connectedHosts = new CopyOnWriteArrayList<>();

  public ChannelFactory channels() {
    return (host, port) -> {
      connectedHosts.add(host);
      return InProcessChannelBuilder.forName(host.equals("deadhost") ? name + "-nobody" : name)
          .directExecutor()
          .build();
    };
  }

  /** An admin client on this broker. */
  public Admin admin() {
    return new BrookAdmin(
        new AdminClientConfig(
            Map.of(
                "bootstrap.servers", "fakehost:9092",
                "retry.backoff.ms", "1",
                "default.api.timeout.ms", "10000")),
        channels(),
        Time.SYSTEM);
  }

  /** A topic whose partitions' logs span [start, end). */
  public void topic(String name, long start, long end, int partitions) {
    long[][] p = new long[partitions][];
    for (int i = 0; i < partitions; i++) {
      p[i] = new long[] {start, end};
    }
    topics.put(name, p);
  }

  public Group group(String id) {
    return groups.computeIfAbsent(id, g -> new Group());
  }

  /** Adds a member with this assignment and makes the group Stable. */
  public void member(
      String groupId,
      String memberId,
      String instanceId,
      String clientId,
      String host,
      List<TopicPartition> assigned) {
    Group g = group(groupId);
    g.members.add(
        DescribedGroupMember.newBuilder()
            .setMemberId(memberId)
            .setGroupInstanceId(instanceId)
            .setClientId(clientId)
            .setClientHost(host)
            .setMemberAssignment(
                ByteString.copyFrom(
                    ConsumerProtocol.serializeAssignment(new Assignment(assigned, null))))
            .build());
    g.state = "Stable";
    g.protocol = "range";
  }

  public static Node node() {
    return new Node(1, "fakehost", 9092);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private static <T> void answer(T response, StreamObserver<T> obs) {
    obs.onNext(response);
    obs.onCompleted();
  }

  private final class Service extends BrokerServiceGrpc.BrokerServiceImplBase {
    @Override
    public void incrementalAlterConfigs(
        IncrementalAlterConfigsRequest req, StreamObserver<IncrementalAlterConfigsResponse> obs) {
      requests.add(req);
      answer(ops.incrementalAlterConfigs(req), obs);
    }

    @Override
    public void alterPartitionReassignments(
        AlterPartitionReassignmentsRequest req,
        StreamObserver<AlterPartitionReassignmentsResponse> obs) {
      requests.add(req);
      answer(ops.alterPartitionReassignments(req), obs);
    }

    @Override
    public void listPartitionReassignments(
        ListPartitionReassignmentsRequest req,
        StreamObserver<ListPartitionReassignmentsResponse> obs) {
      requests.add(req);
      answer(ops.listPartitionReassignments(req), obs);
    }

    @Override
    public void electLeaders(ElectLeadersRequest req, StreamObserver<ElectLeadersResponse> obs) {
      requests.add(req);
      answer(ops.electLeaders(req), obs);
    }

    @Override
    public void describeConfigs(
        DescribeConfigsRequest req, StreamObserver<DescribeConfigsResponse> obs) {
      requests.add(req);
      answer(ops.describeConfigs(req), obs);
    }

    @Override
    public void describeCluster(
        DescribeClusterRequest req, StreamObserver<DescribeClusterResponse> obs) {
      requests.add(req);
      answer(ops.describeCluster(), obs);
    }

    @Override
    public void findCoordinator(
        FindCoordinatorRequest req, StreamObserver<FindCoordinatorResponse> obs) {
      requests.add(req);
      ErrorCode e = findCoordinatorErrors.poll();
      FindCoordinatorResponse.Builder b = FindCoordinatorResponse.newBuilder();
      if (e != null) {
        b.setError(e);
      } else {
        b.setCoordinator(
            BrokerEndpoint.newBuilder().setId(1).setHost("fakehost").setPort(9092).build());
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> obs) {
      requests.add(req);
      MetadataResponse.Builder b =
          MetadataResponse.newBuilder()
              .setControllerId(1)
              .addBrokers(
                  BrokerEndpoint.newBuilder().setId(1).setHost("fakehost").setPort(9092).build())
              .addAllBrokers(otherBrokers);
      List<String> names =
          req.getTopicsCount() > 0 ? req.getTopicsList() : new ArrayList<>(topics.keySet());
      ops.brokers.keySet().stream()
          .filter(id -> id != 1)
          .sorted()
          .forEach(
              id ->
                  b.addBrokers(
                      BrokerEndpoint.newBuilder()
                          .setId(id)
                          .setHost("broker" + id)
                          .setPort(9092)
                          .setRack(ops.brokers.get(id))));
      if (req.getTopicsCount() == 0) {
        names = new ArrayList<>(names);
        for (String t : ops.replicas.keySet()) {
          if (!names.contains(t)) {
            names.add(t);
          }
        }
      }
      for (String t : names) {
        if (ops.replicas.containsKey(t)) {
          TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(t);
          List<List<Integer>> rs = ops.replicas.get(t);
          for (int p = 0; p < rs.size(); p++) {
            tm.addPartitions(
                PartitionMetadata.newBuilder()
                    .setPartition(p)
                    .setLeader(ops.leaders.getOrDefault(new TopicPartition(t, p), -1))
                    .addAllReplicas(rs.get(p))
                    .addAllIsr(rs.get(p)));
          }
          b.addTopics(tm);
          continue;
        }
        long[][] parts = topics.get(t);
        TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(t);
        if (parts == null) {
          tm.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
          for (int p = 0; p < parts.length; p++) {
            tm.addPartitions(
                PartitionMetadata.newBuilder()
                    .setPartition(p)
                    .setLeader(1)
                    .addReplicas(1)
                    .addIsr(1));
          }
        }
        b.addTopics(tm);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void listOffsets(ListOffsetsRequest req, StreamObserver<ListOffsetsResponse> obs) {
      requests.add(req);
      ListOffsetsResponse.Builder b = ListOffsetsResponse.newBuilder();
      for (ListOffsetsTopic t : req.getTopicsList()) {
        ListOffsetsTopicResponse.Builder tr = ListOffsetsTopicResponse.newBuilder();
        tr.setTopic(t.getTopic());
        for (ListOffsetsPartition p : t.getPartitionsList()) {
          long[] span = topics.get(t.getTopic())[p.getPartition()];
          long ts = p.getTimestamp();
          long offset;
          if (ts == -2) {
            offset = span[0];
          } else if (ts == -1) {
            offset = span[1];
          } else {
            long first = Math.max(span[0], (ts + 999) / 1000);
            offset = first < span[1] ? first : -1;
          }
          tr.addPartitions(
              ListOffsetsPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setOffset(offset)
                  .setTimestamp(-1)
                  .setLeaderEpoch(0));
        }
        b.addTopics(tr);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void listGroups(ListGroupsRequest req, StreamObserver<ListGroupsResponse> obs) {
      requests.add(req);
      ListGroupsResponse.Builder b = ListGroupsResponse.newBuilder();
      new TreeMap<>(groups)
          .forEach(
              (id, g) -> {
                if (req.getStatesFilterCount() == 0
                    || req.getStatesFilterList().stream().anyMatch(s -> s.equals(g.state))) {
                  b.addGroups(
                      ListedGroup.newBuilder()
                          .setGroupId(id)
                          .setProtocolType(g.protocolType)
                          .setGroupState(g.state));
                }
              });
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void describeGroups(
        DescribeGroupsRequest req, StreamObserver<DescribeGroupsResponse> obs) {
      requests.add(req);
      ErrorCode e = coordinatorErrors.poll();
      DescribeGroupsResponse.Builder b = DescribeGroupsResponse.newBuilder();
      for (String id : req.getGroupsList()) {
        DescribedGroup.Builder d = DescribedGroup.newBuilder().setGroupId(id);
        Group g = groups.get(id);
        if (e != null) {
          d.setError(e);
        } else if (g == null) {
          d.setGroupState("Dead");
        } else {
          d.setGroupState(g.state)
              .setProtocolType(g.protocolType)
              .setProtocolData(g.protocol)
              .addAllMembers(g.members);
        }
        b.addGroups(d);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void offsetFetch(OffsetFetchRequest req, StreamObserver<OffsetFetchResponse> obs) {
      requests.add(req);
      ErrorCode e = coordinatorErrors.poll();
      OffsetFetchResponse.Builder b = OffsetFetchResponse.newBuilder();
      if (e != null) {
        obs.onNext(b.setError(e).build());
        obs.onCompleted();
        return;
      }
      Group g = groups.get(req.getGroupId());
      Map<String, OffsetFetchTopicResponse.Builder> byTopic = new TreeMap<>();
      if (req.getAllTopics()) {
        if (g != null) {
          new TreeMap<>(g.committed)
              .forEach(
                  (tp, o) ->
                      byTopic
                          .computeIfAbsent(
                              tp.topic(), t -> OffsetFetchTopicResponse.newBuilder().setName(t))
                          .addPartitions(
                              OffsetFetchPartitionResponse.newBuilder()
                                  .setPartition(tp.partition())
                                  .setCommittedOffset(o)
                                  .setCommittedLeaderEpoch(-1)));
        }
      } else {
        for (OffsetFetchTopic t : req.getTopicsList()) {
          for (int p : t.getPartitionsList()) {
            Long o = g == null ? null : g.committed.get(new TopicPartition(t.getName(), p));
            byTopic
                .computeIfAbsent(t.getName(), n -> OffsetFetchTopicResponse.newBuilder().setName(n))
                .addPartitions(
                    OffsetFetchPartitionResponse.newBuilder()
                        .setPartition(p)
                        .setCommittedOffset(o == null ? -1 : o)
                        .setCommittedLeaderEpoch(-1));
          }
        }
      }
      byTopic.values().forEach(b::addTopics);
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void offsetCommit(OffsetCommitRequest req, StreamObserver<OffsetCommitResponse> obs) {
      requests.add(req);
      commits.add(req);
      ErrorCode e = coordinatorErrors.poll();
      Group g = group(req.getGroupId());
      boolean refused = req.getGenerationId() == -1 && !g.members.isEmpty();
      OffsetCommitResponse.Builder b = OffsetCommitResponse.newBuilder();
      for (OffsetCommitTopic t : req.getTopicsList()) {
        OffsetCommitTopicResponse.Builder tr =
            OffsetCommitTopicResponse.newBuilder().setName(t.getName());
        for (OffsetCommitPartition p : t.getPartitionsList()) {
          ErrorCode code = e != null ? e : refused ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE;
          if (code == ErrorCode.NONE) {
            g.committed.put(
                new TopicPartition(t.getName(), p.getPartition()), p.getCommittedOffset());
          }
          tr.addPartitions(
              OffsetCommitPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setError(code));
        }
        b.addTopics(tr);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void deleteGroups(DeleteGroupsRequest req, StreamObserver<DeleteGroupsResponse> obs) {
      requests.add(req);
      DeleteGroupsResponse.Builder b = DeleteGroupsResponse.newBuilder();
      for (String id : req.getGroupsNamesList()) {
        Group g = groups.get(id);
        ErrorCode code;
        if (g == null) {
          code = ErrorCode.GROUP_ID_NOT_FOUND;
        } else if (!g.members.isEmpty()) {
          code = ErrorCode.NON_EMPTY_GROUP;
        } else {
          groups.remove(id);
          code = ErrorCode.NONE;
        }
        b.addResults(DeletableGroupResult.newBuilder().setGroupId(id).setError(code));
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void offsetDelete(OffsetDeleteRequest req, StreamObserver<OffsetDeleteResponse> obs) {
      requests.add(req);
      Group g = groups.get(req.getGroupId());
      OffsetDeleteResponse.Builder b = OffsetDeleteResponse.newBuilder();
      if (g == null) {
        obs.onNext(b.setError(ErrorCode.GROUP_ID_NOT_FOUND).build());
        obs.onCompleted();
        return;
      }
      for (OffsetFetchTopic t : req.getTopicsList()) {
        OffsetDeleteTopicResponse.Builder tr =
            OffsetDeleteTopicResponse.newBuilder().setName(t.getName());
        for (int p : t.getPartitionsList()) {
          ErrorCode code =
              g.members.isEmpty() ? ErrorCode.NONE : ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
          if (code == ErrorCode.NONE) {
            g.committed.remove(new TopicPartition(t.getName(), p));
          }
          tr.addPartitions(
              OffsetDeletePartitionResponse.newBuilder().setPartition(p).setError(code));
        }
        b.addTopics(tr);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void leaveGroup(LeaveGroupRequest req, StreamObserver<LeaveGroupResponse> obs) {
      requests.add(req);
      Group g = groups.get(req.getGroupId());
      LeaveGroupResponse.Builder b = LeaveGroupResponse.newBuilder();
      if (g == null) {
        obs.onNext(b.setError(ErrorCode.GROUP_ID_NOT_FOUND).build());
        obs.onCompleted();
        return;
      }
      for (MemberIdentity m : req.getMembersList()) {
        boolean removed =
            g.members.removeIf(
                x ->
                    (!m.getMemberId().isEmpty() && x.getMemberId().equals(m.getMemberId()))
                        || (!m.getGroupInstanceId().isEmpty()
                            && x.getGroupInstanceId().equals(m.getGroupInstanceId())));
        b.addMembers(
            LeaveGroupMemberResponse.newBuilder()
                .setMemberId(m.getMemberId())
                .setGroupInstanceId(m.getGroupInstanceId())
                .setError(removed ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID));
      }
      if (g.members.isEmpty()) {
        g.state = "Empty";
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }
  }
}
