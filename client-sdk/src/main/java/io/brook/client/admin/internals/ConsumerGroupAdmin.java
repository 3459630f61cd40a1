package io.brook.client.admin.internals;

import io.brook.client.admin.AlterConsumerGroupOffsetsResult;
import io.brook.client.admin.ConsumerGroupDescription;
import io.brook.client.admin.ConsumerGroupListing;
import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.admin.DeleteConsumerGroupOffsetsResult;
import io.brook.client.admin.DeleteConsumerGroupsResult;
import io.brook.client.admin.DescribeConsumerGroupsResult;
import io.brook.client.admin.ListConsumerGroupOffsetsResult;
import io.brook.client.admin.ListConsumerGroupOffsetsSpec;
import io.brook.client.admin.ListConsumerGroupsResult;
import io.brook.client.admin.MemberAssignment;
import io.brook.client.admin.MemberDescription;
import io.brook.client.admin.MemberToRemove;
import io.brook.client.admin.RemoveMembersFromConsumerGroupOptions;
import io.brook.client.admin.RemoveMembersFromConsumerGroupResult;
import io.brook.client.common.Node;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.SerializationException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.consumer.internals.ConsumerProtocol;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.brook.protocol.v1.CoordinatorType;
import io.brook.protocol.v1.DeletableGroupResult;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.DescribedGroupMember;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.LeaveGroupMemberResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListedGroup;
import io.brook.protocol.v1.MemberIdentity;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitPartitionResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitTopicResponse;
import io.brook.protocol.v1.OffsetDeletePartitionResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetDeleteTopicResponse;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import io.brook.protocol.v1.OffsetFetchTopicResponse;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The admin client's consumer-group calls (Kafka's Admin group API over Brook's group RPCs). Every
 * call except listConsumerGroups goes to the group's coordinator: each attempt asks a broker
 * FindCoordinator, then sends the request to the coordinator; NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE and COORDINATOR_LOAD_IN_PROGRESS (as a whole-request or any partition's
 * error) make the attempt retriable, so {@link AdminCalls} finds the coordinator again after
 * retry.backoff.ms until the call's timeout. Stateless apart from the shared {@link AdminCalls};
 * thread-safe.
 */
public final class ConsumerGroupAdmin {
  private final AdminCalls calls;

  public ConsumerGroupAdmin(AdminCalls calls) {
    this.calls = calls;
  }

  // ------------------------------------------------------------------ coordinator

  /** The group's coordinator, asked of {@code any} broker. */
  static Node findCoordinator(BrokerServiceBlockingStub any, String groupId) {
    FindCoordinatorResponse r =
        any.findCoordinator(
            FindCoordinatorRequest.newBuilder()
                .setKey(groupId)
                .setKeyType(CoordinatorType.GROUP)
                .build());
    if (r.getError() != ErrorCode.NONE) {
      throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
    }
    BrokerEndpoint e = r.getCoordinator();
    return new Node(e.getId(), e.getHost(), e.getPort(), e.getRack());
  }

  /** The errors after which the coordinator must be found again (or waited for). */
  static boolean isCoordinatorError(ErrorCode code) {
    return code == ErrorCode.NOT_COORDINATOR
        || code == ErrorCode.COORDINATOR_NOT_AVAILABLE
        || code == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** Throws the retriable exception of a coordinator error, so the attempt is retried. */
  static void retryOnCoordinatorError(ErrorCode code, String message) {
    if (isCoordinatorError(code)) {
      throw ErrorMapping.exception(code, message);
    }
  }

  private static void checkGroupId(String groupId) {
    if (groupId == null || groupId.isEmpty()) {
      throw new io.brook.client.common.errors.InvalidGroupIdException(
          "The given group id '" + groupId + "' cannot be empty.");
    }
  }

  // ------------------------------------------------------------------ listConsumerGroups

  /**
   * Asks every live broker (from a Metadata answer) for the groups it coordinates and merges them;
   * a broker that cannot be reached or answers an error is reported in {@code errors()}. A broker
   * still loading groups (COORDINATOR_LOAD_IN_PROGRESS) makes the attempt retriable. Groups of
   * another protocol type than "consumer" (or empty) are left out, as Kafka does.
   */
  public ListConsumerGroupsResult listConsumerGroups(
      Set<ConsumerGroupState> states, long timeoutMs) {
    CompletableFuture<Collection<ConsumerGroupListing>> valid = new CompletableFuture<>();
    CompletableFuture<Collection<Throwable>> errors = new CompletableFuture<>();
    ListGroupsRequest.Builder req = ListGroupsRequest.newBuilder();
    states.forEach(s -> req.addStatesFilter(s.toString()));
    ListGroupsRequest request = req.build();
    calls.submitRouted(
        "listConsumerGroups",
        timeoutMs,
        (any, stubs) -> {
          MetadataResponse md = any.metadata(MetadataRequest.getDefaultInstance());
          Map<String, ConsumerGroupListing> out = new TreeMap<>();
          List<Throwable> errs = new ArrayList<>();
          for (BrokerEndpoint b : md.getBrokersList()) {
            Node node = new Node(b.getId(), b.getHost(), b.getPort(), b.getRack());
            ListGroupsResponse r;
            try {
              r = stubs.to(node).listGroups(request);
            } catch (StatusRuntimeException e) {
              errs.add(ErrorMapping.fromStatus(e, node.host() + ":" + node.port()));
              continue;
            }
            if (r.getError() == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
              throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
            }
            if (r.getError() != ErrorCode.NONE) {
              errs.add(ErrorMapping.exception(r.getError(), r.getErrorMessage()));
              continue;
            }
            for (ListedGroup g : r.getGroupsList()) {
              String type = g.getProtocolType();
              if (!type.isEmpty() && !type.equals(ConsumerProtocol.PROTOCOL_TYPE)) {
                continue;
              }
              Optional<ConsumerGroupState> state =
                  g.getGroupState().isEmpty()
                      ? Optional.empty()
                      : Optional.of(ConsumerGroupState.parse(g.getGroupState()));
              out.put(
                  g.getGroupId(), new ConsumerGroupListing(g.getGroupId(), type.isEmpty(), state));
            }
          }
          return new Listed(List.copyOf(out.values()), List.copyOf(errs));
        },
        (Listed r) -> {
          valid.complete(r.listings());
          errors.complete(r.errors());
          return null;
        },
        failure -> {
          valid.completeExceptionally(failure);
          errors.completeExceptionally(failure);
        });
    return new ListConsumerGroupsResult(valid, errors);
  }

  private record Listed(List<ConsumerGroupListing> listings, List<Throwable> errors) {}

  // ------------------------------------------------------------------ describeConsumerGroups

  public DescribeConsumerGroupsResult describeConsumerGroups(
      Collection<String> groupIds, long timeoutMs) {
    Map<String, CompletableFuture<ConsumerGroupDescription>> futures = new LinkedHashMap<>();
    for (String g : groupIds) {
      if (futures.containsKey(g)) {
        continue;
      }
      CompletableFuture<ConsumerGroupDescription> f = new CompletableFuture<>();
      futures.put(g, f);
      submitToCoordinator(
          "describeConsumerGroups",
          g,
          timeoutMs,
          (coordinator, stub) -> {
            DescribeGroupsResponse resp =
                stub.describeGroups(DescribeGroupsRequest.newBuilder().addGroups(g).build());
            DescribedGroup d =
                resp.getGroupsList().stream()
                    .filter(x -> x.getGroupId().equals(g))
                    .findFirst()
                    .orElseThrow(
                        () -> new BrookException("the coordinator did not describe group " + g));
            retryOnCoordinatorError(d.getError(), d.getErrorMessage());
            if (d.getError() != ErrorCode.NONE) {
              throw ErrorMapping.exception(d.getError(), d.getErrorMessage());
            }
            return describe(d, coordinator);
          },
          f);
    }
    return new DescribeConsumerGroupsResult(futures);
  }

  /** A DescribedGroup as the admin API's description; assignments decoded (Kafka's way). */
  static ConsumerGroupDescription describe(DescribedGroup d, Node coordinator) {
    String type = d.getProtocolType();
    if (!type.isEmpty() && !type.equals(ConsumerProtocol.PROTOCOL_TYPE)) {
      throw new IllegalArgumentException(
          "GroupId " + d.getGroupId() + " is not a consumer group (" + type + ").");
    }
    List<MemberDescription> members = new ArrayList<>();
    for (DescribedGroupMember m : d.getMembersList()) {
      Set<TopicPartition> assigned = new HashSet<>();
      if (!m.getMemberAssignment().isEmpty()) {
        try {
          assigned.addAll(
              ConsumerProtocol.deserializeAssignment(m.getMemberAssignment().toByteArray())
                  .partitions());
        } catch (SerializationException e) {
          // Kafka shows such a member with an empty assignment too.
        }
      }
      members.add(
          new MemberDescription(
              m.getMemberId(),
              m.getGroupInstanceId().isEmpty()
                  ? Optional.empty()
                  : Optional.of(m.getGroupInstanceId()),
              m.getClientId(),
              m.getClientHost(),
              new MemberAssignment(assigned)));
    }
    return new ConsumerGroupDescription(
        d.getGroupId(),
        type.isEmpty(),
        members,
        d.getProtocolData(),
        ConsumerGroupState.parse(d.getGroupState()),
        coordinator);
  }

  // ------------------------------------------------------------------ listConsumerGroupOffsets

  public ListConsumerGroupOffsetsResult listConsumerGroupOffsets(
      Map<String, ListConsumerGroupOffsetsSpec> specs, long timeoutMs) {
    Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> futures =
        new LinkedHashMap<>();
    specs.forEach(
        (g, spec) -> {
          CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> f = new CompletableFuture<>();
          futures.put(g, f);
          OffsetFetchRequest.Builder req = OffsetFetchRequest.newBuilder().setGroupId(g);
          if (spec == null || spec.topicPartitions() == null) {
            req.setAllTopics(true);
          } else {
            byTopic(spec.topicPartitions())
                .forEach(
                    (t, ps) ->
                        req.addTopics(
                            OffsetFetchTopic.newBuilder().setName(t).addAllPartitions(ps)));
          }
          OffsetFetchRequest request = req.build();
          submitToCoordinator(
              "listConsumerGroupOffsets",
              g,
              timeoutMs,
              (coordinator, stub) -> committedOffsets(stub.offsetFetch(request)),
              f);
        });
    return new ListConsumerGroupOffsetsResult(futures);
  }

  /**
   * Kafka's reading of an OffsetFetch answer: offset -1 (nothing committed) maps to null; a
   * partition with an error is left out; coordinator errors ask for another attempt.
   */
  static Map<TopicPartition, OffsetAndMetadata> committedOffsets(OffsetFetchResponse r) {
    retryOnCoordinatorError(r.getError(), r.getErrorMessage());
    if (r.getError() != ErrorCode.NONE) {
      throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
    }
    Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
    for (OffsetFetchTopicResponse t : r.getTopicsList()) {
      for (OffsetFetchPartitionResponse p : t.getPartitionsList()) {
        retryOnCoordinatorError(p.getError(), "");
        if (p.getError() != ErrorCode.NONE) {
          continue;
        }
        TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
        out.put(
            tp,
            p.getCommittedOffset() < 0
                ? null
                : new OffsetAndMetadata(
                    p.getCommittedOffset(),
                    p.getCommittedLeaderEpoch() < 0
                        ? Optional.empty()
                        : Optional.of(p.getCommittedLeaderEpoch()),
                    p.getMetadata()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ alterConsumerGroupOffsets

  /**
   * Commits offsets from outside the group's membership (generation -1, no member id): the
   * coordinator accepts it only while the group has no members (else UNKNOWN_MEMBER_ID /
   * ILLEGAL_GENERATION per partition, as Kafka).
   */
  public AlterConsumerGroupOffsetsResult alterConsumerGroupOffsets(
      String groupId, Map<TopicPartition, OffsetAndMetadata> offsets, long timeoutMs) {
    CompletableFuture<Map<TopicPartition, BrookException>> f = new CompletableFuture<>();
    Map<String, OffsetCommitTopic.Builder> topics = new TreeMap<>();
    offsets.forEach(
        (tp, om) ->
            topics
                .computeIfAbsent(tp.topic(), t -> OffsetCommitTopic.newBuilder().setName(t))
                .addPartitions(
                    OffsetCommitPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setCommittedOffset(om.offset())
                        .setCommittedLeaderEpoch(om.leaderEpoch().orElse(-1))
                        .setCommittedMetadata(om.metadata())));
    OffsetCommitRequest.Builder req =
        OffsetCommitRequest.newBuilder().setGroupId(groupId).setGenerationId(-1).setMemberId("");
    topics.values().forEach(req::addTopics);
    OffsetCommitRequest request = req.build();
    submitToCoordinator(
        "alterConsumerGroupOffsets",
        groupId,
        timeoutMs,
        (coordinator, stub) -> commitResults(stub.offsetCommit(request), offsets.keySet()),
        f);
    return new AlterConsumerGroupOffsetsResult(f);
  }

  static Map<TopicPartition, BrookException> commitResults(
      OffsetCommitResponse r, Set<TopicPartition> asked) {
    Map<TopicPartition, BrookException> out = new LinkedHashMap<>();
    for (OffsetCommitTopicResponse t : r.getTopicsList()) {
      for (OffsetCommitPartitionResponse p : t.getPartitionsList()) {
        retryOnCoordinatorError(p.getError(), p.getErrorMessage());
        out.put(
            new TopicPartition(t.getName(), p.getPartition()),
            p.getError() == ErrorCode.NONE
                ? null
                : ErrorMapping.exception(p.getError(), p.getErrorMessage()));
      }
    }
    for (TopicPartition tp : asked) {
      if (!out.containsKey(tp)) {
        // (not putIfAbsent: it would overwrite the null of a partition that succeeded)
        out.put(tp, new BrookException("the coordinator's response did not mention " + tp));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ deleteConsumerGroups

  public DeleteConsumerGroupsResult deleteConsumerGroups(
      Collection<String> groupIds, long timeoutMs) {
    Map<String, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    for (String g : groupIds) {
      if (futures.containsKey(g)) {
        continue;
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      futures.put(g, f);
      submitToCoordinator(
          "deleteConsumerGroups",
          g,
          timeoutMs,
          (coordinator, stub) -> {
            DeleteGroupsResponse resp =
                stub.deleteGroups(DeleteGroupsRequest.newBuilder().addGroupsNames(g).build());
            for (DeletableGroupResult r : resp.getResultsList()) {
              if (!r.getGroupId().equals(g)) {
                continue;
              }
              retryOnCoordinatorError(r.getError(), r.getErrorMessage());
              if (r.getError() != ErrorCode.NONE) {
                throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
              }
              return null;
            }
            throw new BrookException("the coordinator's response did not mention group " + g);
          },
          f);
    }
    return new DeleteConsumerGroupsResult(futures);
  }

  // ------------------------------------------------------------------ deleteConsumerGroupOffsets

  public DeleteConsumerGroupOffsetsResult deleteConsumerGroupOffsets(
      String groupId, Set<TopicPartition> partitions, long timeoutMs) {
    CompletableFuture<Map<TopicPartition, BrookException>> f = new CompletableFuture<>();
    OffsetDeleteRequest.Builder req = OffsetDeleteRequest.newBuilder().setGroupId(groupId);
    byTopic(partitions)
        .forEach(
            (t, ps) ->
                req.addTopics(OffsetFetchTopic.newBuilder().setName(t).addAllPartitions(ps)));
    OffsetDeleteRequest request = req.build();
    submitToCoordinator(
        "deleteConsumerGroupOffsets",
        groupId,
        timeoutMs,
        (coordinator, stub) -> {
          OffsetDeleteResponse r = stub.offsetDelete(request);
          retryOnCoordinatorError(r.getError(), r.getErrorMessage());
          if (r.getError() != ErrorCode.NONE) {
            throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
          }
          Map<TopicPartition, BrookException> out = new LinkedHashMap<>();
          for (OffsetDeleteTopicResponse t : r.getTopicsList()) {
            for (OffsetDeletePartitionResponse p : t.getPartitionsList()) {
              out.put(
                  new TopicPartition(t.getName(), p.getPartition()),
                  p.getError() == ErrorCode.NONE ? null : ErrorMapping.exception(p.getError(), ""));
            }
          }
          for (TopicPartition tp : partitions) {
            if (!out.containsKey(tp)) {
              out.put(tp, null);
            }
          }
          return out;
        },
        f);
    return new DeleteConsumerGroupOffsetsResult(f);
  }

  // ------------------------------------------------------------------
  // removeMembersFromConsumerGroup

  public RemoveMembersFromConsumerGroupResult removeMembersFromConsumerGroup(
      String groupId, RemoveMembersFromConsumerGroupOptions options, long timeoutMs) {
    CompletableFuture<Map<MemberToRemove, BrookException>> f = new CompletableFuture<>();
    String reason =
        options.reason() == null || options.reason().isEmpty()
            ? "member was removed by an admin"
            : "member was removed by an admin: " + options.reason();
    submitToCoordinator(
        "removeMembersFromConsumerGroup",
        groupId,
        timeoutMs,
        (coordinator, stub) -> {
          List<MemberIdentity> identities = new ArrayList<>();
          if (options.removeAll()) {
            DescribeGroupsResponse d =
                stub.describeGroups(DescribeGroupsRequest.newBuilder().addGroups(groupId).build());
            for (DescribedGroup g : d.getGroupsList()) {
              retryOnCoordinatorError(g.getError(), g.getErrorMessage());
              if (g.getError() != ErrorCode.NONE) {
                throw ErrorMapping.exception(g.getError(), g.getErrorMessage());
              }
              for (DescribedGroupMember m : g.getMembersList()) {
                identities.add(
                    MemberIdentity.newBuilder()
                        .setMemberId(m.getMemberId())
                        .setGroupInstanceId(m.getGroupInstanceId())
                        .setReason(reason)
                        .build());
              }
            }
          } else {
            for (MemberToRemove m : options.members()) {
              identities.add(
                  MemberIdentity.newBuilder()
                      .setGroupInstanceId(m.groupInstanceId())
                      .setReason(reason)
                      .build());
            }
          }
          Map<MemberToRemove, BrookException> out = new LinkedHashMap<>();
          if (identities.isEmpty()) {
            return out;
          }
          LeaveGroupResponse r =
              stub.leaveGroup(
                  LeaveGroupRequest.newBuilder()
                      .setGroupId(groupId)
                      .addAllMembers(identities)
                      .build());
          retryOnCoordinatorError(r.getError(), r.getErrorMessage());
          if (r.getError() != ErrorCode.NONE) {
            throw ErrorMapping.exception(r.getError(), r.getErrorMessage());
          }
          for (LeaveGroupMemberResponse m : r.getMembersList()) {
            String key =
                m.getGroupInstanceId().isEmpty() ? m.getMemberId() : m.getGroupInstanceId();
            out.put(
                new MemberToRemove(key),
                m.getError() == ErrorCode.NONE ? null : ErrorMapping.exception(m.getError(), ""));
          }
          return out;
        },
        f);
    return new RemoveMembersFromConsumerGroupResult(f);
  }

  // ------------------------------------------------------------------ plumbing

  /** An attempt's work once the coordinator is known. */
  @FunctionalInterface
  interface CoordinatorRpc<R> {
    R call(Node coordinator, BrokerServiceBlockingStub coordinatorStub);
  }

  private <R> void submitToCoordinator(
      String name,
      String groupId,
      long timeoutMs,
      CoordinatorRpc<R> rpc,
      CompletableFuture<R> future) {
    try {
      checkGroupId(groupId);
    } catch (BrookException e) {
      future.completeExceptionally(e);
      return;
    }
    calls.submitRouted(
        name,
        timeoutMs,
        (any, stubs) -> {
          Node coordinator = findCoordinator(any, groupId);
          return rpc.call(coordinator, stubs.to(coordinator));
        },
        (R value) -> {
          future.complete(value);
          return null;
        },
        future::completeExceptionally);
  }

  static Map<String, List<Integer>> byTopic(Collection<TopicPartition> partitions) {
    Map<String, List<Integer>> out = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      out.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    out.values().forEach(l -> l.sort(null));
    return out;
  }
}
