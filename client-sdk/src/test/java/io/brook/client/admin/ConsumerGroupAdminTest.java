package io.brook.client.admin;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.errors.GroupIdNotFoundException;
import io.brook.client.common.errors.GroupNotEmptyException;
import io.brook.client.common.errors.GroupSubscribedToTopicException;
import io.brook.client.common.errors.InvalidGroupIdException;
import io.brook.client.common.errors.UnknownMemberIdException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.OffsetCommitRequest;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin client's group API against an in-process fake coordinator. */
class ConsumerGroupAdminTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);

  private FakeGroupBroker broker;
  private Admin admin;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    broker.topic("t", 5, 100, 2);
    admin = broker.admin();
  }

  @AfterEach
  void tearDown() {
    admin.close();
    broker.close();
  }

  private static Throwable cause(ExecutionException e) {
    return e.getCause();
  }

  @Test
  void describeDecodesAssignmentsAndNamesTheCoordinator() throws Exception {
    broker.member("g", "c-1", "", "client-a", "/10.0.0.1", List.of(T0, T1));
    broker.member("g", "c-2", "static-2", "client-b", "/10.0.0.2", List.of());
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("g")).all().get().get("g");
    assertEquals(ConsumerGroupState.STABLE, d.state());
    assertEquals("range", d.partitionAssignor());
    assertFalse(d.isSimpleConsumerGroup());
    assertEquals(FakeGroupBroker.node(), d.coordinator());
    assertEquals(2, d.members().size());
    MemberDescription first = d.members().get(0);
    assertEquals("c-1", first.consumerId());
    assertEquals(Optional.empty(), first.groupInstanceId());
    assertEquals("/10.0.0.1", first.host());
    assertEquals(Set.of(T0, T1), first.assignment().topicPartitions());
    assertEquals(Optional.of("static-2"), d.members().get(1).groupInstanceId());
    assertEquals(Set.of(), d.members().get(1).assignment().topicPartitions());
  }

  @Test
  void unknownGroupIsDescribedAsDead() throws Exception {
    ConsumerGroupDescription d =
        admin.describeConsumerGroups(List.of("nobody")).all().get().get("nobody");
    assertEquals(ConsumerGroupState.DEAD, d.state());
    assertTrue(d.members().isEmpty());
  }

  @Test
  void coordinatorErrorsAreRetriedAfterFindingTheCoordinatorAgain() throws Exception {
    broker.findCoordinatorErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    broker.coordinatorErrors.add(ErrorCode.NOT_COORDINATOR);
    broker.coordinatorErrors.add(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    broker.member("g", "c-1", "", "client-a", "/h", List.of(T0));
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("g")).all().get().get("g");
    assertEquals(ConsumerGroupState.STABLE, d.state());
    long finds = broker.requests.stream().filter(r -> r instanceof FindCoordinatorRequest).count();
    assertEquals(4, finds, "one FindCoordinator per attempt: refused, then three answered");
    assertTrue(broker.coordinatorErrors.isEmpty());
  }

  @Test
  void nonRetriableCoordinatorAnswerFailsAtOnce() {
    broker.findCoordinatorErrors.add(ErrorCode.INVALID_GROUP_ID);
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> admin.describeConsumerGroups(List.of("g")).all().get());
    assertInstanceOf(InvalidGroupIdException.class, cause(e));
    ExecutionException empty =
        assertThrows(
            ExecutionException.class, () -> admin.describeConsumerGroups(List.of("")).all().get());
    assertInstanceOf(InvalidGroupIdException.class, cause(empty));
  }

  @Test
  void listGroupsMergesAndFiltersByState() throws Exception {
    broker.member("busy", "c-1", "", "client", "/h", List.of(T0));
    broker.group("idle");
    broker.group("connect").protocolType = "connect";
    Collection<ConsumerGroupListing> all = admin.listConsumerGroups().all().get();
    assertEquals(
        List.of(
            new ConsumerGroupListing("busy", false, Optional.of(ConsumerGroupState.STABLE)),
            new ConsumerGroupListing("idle", false, Optional.of(ConsumerGroupState.EMPTY))),
        List.copyOf(all),
        "groups of other protocol types are left out");
    Collection<ConsumerGroupListing> empty =
        admin
            .listConsumerGroups(
                new ListConsumerGroupsOptions().inStates(Set.of(ConsumerGroupState.EMPTY)))
            .all()
            .get();
    assertEquals(List.of("idle"), empty.stream().map(ConsumerGroupListing::groupId).toList());
  }

  @Test
  void alterCommitsFromOutsideAndIsRefusedWhileMembersAreActive() throws Exception {
    broker.group("g");
    admin
        .alterConsumerGroupOffsets(
            "g", Map.of(T0, new OffsetAndMetadata(7), T1, new OffsetAndMetadata(9, "m")))
        .all()
        .get();
    OffsetCommitRequest sent = broker.commits.get(0);
    assertEquals(-1, sent.getGenerationId());
    assertEquals("", sent.getMemberId());
    Map<TopicPartition, OffsetAndMetadata> listed =
        admin.listConsumerGroupOffsets("g").partitionsToOffsetAndMetadata().get();
    assertEquals(Map.of(T0, new OffsetAndMetadata(7), T1, new OffsetAndMetadata(9)), listed);

    broker.member("g", "c-1", "", "client", "/h", List.of(T0));
    AlterConsumerGroupOffsetsResult r =
        admin.alterConsumerGroupOffsets("g", Map.of(T0, new OffsetAndMetadata(1)));
    ExecutionException e = assertThrows(ExecutionException.class, () -> r.all().get());
    assertInstanceOf(UnknownMemberIdException.class, cause(e));
    assertEquals(7L, broker.group("g").committed.get(T0), "nothing changed");
  }

  @Test
  void listOffsetsOfRequestedPartitionsMapsMissingOnesToNull() throws Exception {
    broker.group("g").committed.put(T0, 42L);
    Map<TopicPartition, OffsetAndMetadata> m =
        admin
            .listConsumerGroupOffsets(
                Map.of("g", new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(T0, T1))))
            .partitionsToOffsetAndMetadata("g")
            .get();
    assertEquals(new OffsetAndMetadata(42), m.get(T0));
    assertTrue(m.containsKey(T1));
    assertNull(m.get(T1));
  }

  @Test
  void deleteGroupsOnlyWhenEmpty() throws Exception {
    broker.group("idle");
    broker.member("busy", "c-1", "", "client", "/h", List.of(T0));
    DeleteConsumerGroupsResult r = admin.deleteConsumerGroups(List.of("idle", "busy", "none"));
    r.deletedGroups().get("idle").get();
    ExecutionException busy =
        assertThrows(ExecutionException.class, () -> r.deletedGroups().get("busy").get());
    assertInstanceOf(GroupNotEmptyException.class, cause(busy));
    ExecutionException none =
        assertThrows(ExecutionException.class, () -> r.deletedGroups().get("none").get());
    assertInstanceOf(GroupIdNotFoundException.class, cause(none));
    assertFalse(broker.groups.containsKey("idle"));
    assertTrue(broker.groups.containsKey("busy"));
  }

  @Test
  void deleteOffsetsPerPartitionAndWholeRequestErrors() throws Exception {
    broker.group("g").committed.put(T0, 3L);
    admin.deleteConsumerGroupOffsets("g", Set.of(T0)).partitionResult(T0).get();
    assertFalse(broker.group("g").committed.containsKey(T0));

    broker.member("g", "c-1", "", "client", "/h", List.of(T1));
    DeleteConsumerGroupOffsetsResult subscribed = admin.deleteConsumerGroupOffsets("g", Set.of(T1));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> subscribed.partitionResult(T1).get());
    assertInstanceOf(GroupSubscribedToTopicException.class, cause(e));

    DeleteConsumerGroupOffsetsResult missing =
        admin.deleteConsumerGroupOffsets("missing", Set.of(T0));
    ExecutionException m = assertThrows(ExecutionException.class, () -> missing.all().get());
    assertInstanceOf(GroupIdNotFoundException.class, cause(m));
  }

  @Test
  void removeStaticMembersOrEveryMember() throws Exception {
    broker.member("g", "c-1", "static-1", "client", "/h", List.of(T0));
    broker.member("g", "c-2", "", "client", "/h", List.of(T1));
    admin
        .removeMembersFromConsumerGroup(
            "g", new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove("static-1"))))
        .memberResult(new MemberToRemove("static-1"))
        .get();
    assertEquals(1, broker.group("g").members.size());
    LeaveGroupRequest sent =
        (LeaveGroupRequest)
            broker.requests.stream().filter(r -> r instanceof LeaveGroupRequest).findFirst().get();
    assertEquals("", sent.getMembers(0).getMemberId());
    assertEquals("static-1", sent.getMembers(0).getGroupInstanceId());

    admin
        .removeMembersFromConsumerGroup("g", new RemoveMembersFromConsumerGroupOptions())
        .all()
        .get();
    assertTrue(broker.group("g").members.isEmpty());
    assertEquals("Empty", broker.group("g").state);
  }

  @Test
  void listOffsetsAsksTheLeaderAndFailsUnknownTopics() throws Exception {
    TopicPartition unknown = new TopicPartition("nope", 0);
    ListOffsetsResult r =
        admin.listOffsets(
            Map.of(
                T0, OffsetSpec.earliest(),
                T1, OffsetSpec.latest(),
                unknown, OffsetSpec.latest()));
    assertEquals(5, r.partitionResult(T0).get().offset());
    assertEquals(100, r.partitionResult(T1).get().offset());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> r.partitionResult(unknown).get());
    assertInstanceOf(UnknownTopicOrPartitionException.class, cause(e));
    ListOffsetsResult byTime =
        admin.listOffsets(
            Map.of(T0, OffsetSpec.forTimestamp(20_500), T1, OffsetSpec.forTimestamp(500_000)));
    assertEquals(21, byTime.partitionResult(T0).get().offset());
    assertEquals(-1, byTime.partitionResult(T1).get().offset(), "no record that recent");
  }

  @Test
  void listGroupsReportsUnreachableBrokersInErrors() throws Exception {
    broker.group("idle");
    broker.otherBrokers.add(
        io.brook.protocol.v1.BrokerEndpoint.newBuilder()
            .setId(2)
            .setHost("deadhost")
            .setPort(9093)
            .build());
    ListConsumerGroupsResult r = admin.listConsumerGroups();
    assertEquals(
        List.of("idle"), r.valid().get().stream().map(ConsumerGroupListing::groupId).toList());
    assertEquals(1, r.errors().get().size(), "the unreachable broker");
    assertThrows(ExecutionException.class, () -> r.all().get());
  }

  @Test
  void coordinatorThatNeverBecomesAvailableTimesOutNamingTheLastError() {
    for (int i = 0; i < 100_000; i++) {
      broker.findCoordinatorErrors.add(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .describeConsumerGroups(
                        List.of("g"), new DescribeConsumerGroupsOptions().timeoutMs(300))
                    .all()
                    .get());
    assertInstanceOf(io.brook.client.common.errors.TimeoutException.class, cause(e));
    // Kafka's wording: the call never got its node (the coordinator) assigned
    assertTrue(
        cause(e)
            .getMessage()
            .startsWith("Timed out waiting for a node assignment. Call: describeConsumerGroups"),
        cause(e).getMessage());
    assertTrue(cause(e).getMessage().contains("last error"), cause(e).getMessage());
  }
}
