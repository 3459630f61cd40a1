package io.brook.client.admin;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.errors.ElectionNotNeededException;
import io.brook.client.common.errors.InvalidConfigurationException;
import io.brook.client.common.errors.InvalidReplicaAssignmentException;
import io.brook.client.common.errors.InvalidRequestException;
import io.brook.client.common.errors.NoReassignmentInProgressException;
import io.brook.client.common.errors.PreferredLeaderNotAvailableException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin client's operations calls (incrementalAlterConfigs, alter/listPartitionReassignments,
 * electLeaders) against the in-process fake broker and its fake controller: requests on the wire,
 * per-resource / per-partition results, errors as the client's exceptions with the controller's
 * message, NOT_CONTROLLER retried.
 */
class OperationsAdminTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private static final ConfigResource TOPIC_T = new ConfigResource(ConfigResource.Type.TOPIC, "t");
  private static final ConfigResource BROKER_2 =
      new ConfigResource(ConfigResource.Type.BROKER, "2");

  private FakeGroupBroker broker;
  private Admin admin;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    broker.ops.brokers.putAll(Map.of(2, "", 3, "", 4, ""));
    broker.ops.topic("t", List.of(List.of(1, 2, 3), List.of(2, 3, 1)));
    admin = broker.admin();
  }

  @AfterEach
  void tearDown() {
    admin.close();
    broker.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
    return e.getCause();
  }

  private static AlterConfigOp op(String k, String v, AlterConfigOp.OpType t) {
    return new AlterConfigOp(new ConfigEntry(k, v), t);
  }

  @Test
  void incrementalAlterConfigsSetsDeletesAndAppendsPerResource() throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    changes.put(
        TOPIC_T,
        List.of(
            op("retention.ms", "1000", AlterConfigOp.OpType.SET),
            op("leader.replication.throttled.replicas", "0:1", AlterConfigOp.OpType.APPEND)));
    changes.put(
        BROKER_2, List.of(op("leader.replication.throttled.rate", "10", AlterConfigOp.OpType.SET)));
    get(admin.incrementalAlterConfigs(changes).all());
    assertEquals(
        Map.of("retention.ms", "1000", "leader.replication.throttled.replicas", "0:1"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));
    assertEquals(
        Map.of("leader.replication.throttled.rate", "10"),
        broker.ops.config(ConfigResource.Type.BROKER, "2"));

    get(
        admin
            .incrementalAlterConfigs(
                Map.of(TOPIC_T, List.of(op("retention.ms", "", AlterConfigOp.OpType.DELETE))))
            .all());
    assertEquals(
        Map.of("leader.replication.throttled.replicas", "0:1"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));

    IncrementalAlterConfigsRequest sent =
        (IncrementalAlterConfigsRequest)
            broker.requests.stream()
                .filter(r -> r instanceof IncrementalAlterConfigsRequest)
                .reduce((a, b) -> b)
                .get();
    assertEquals(
        io.brook.protocol.v1.AlterConfigOpType.DELETE, sent.getResources(0).getConfigs(0).getOp());
  }

  @Test
  void aBadConfigFailsOnlyItsResourceWithTheControllersMessageAndChangesNothing() throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    changes.put(
        TOPIC_T,
        List.of(
            op("retention.ms", "1000", AlterConfigOp.OpType.SET),
            op("retention.nope", "1", AlterConfigOp.OpType.SET)));
    changes.put(
        new ConfigResource(ConfigResource.Type.TOPIC, "missing"),
        List.of(op("retention.ms", "1", AlterConfigOp.OpType.SET)));
    changes.put(BROKER_2, List.of(op("log.retention.ms", "abc", AlterConfigOp.OpType.SET)));
    AlterConfigsResult result = admin.incrementalAlterConfigs(changes);
    Throwable topic = failure(result.values().get(TOPIC_T));
    assertInstanceOf(InvalidConfigurationException.class, topic);
    assertEquals("Unknown topic config 'retention.nope'", topic.getMessage());
    assertInstanceOf(
        UnknownTopicOrPartitionException.class,
        failure(result.values().get(new ConfigResource(ConfigResource.Type.TOPIC, "missing"))));
    assertEquals(
        "Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
        failure(result.values().get(BROKER_2)).getMessage());
    assertTrue(broker.ops.configs.isEmpty(), "nothing changed: " + broker.ops.configs);
  }

  @Test
  void validateOnlyChangesNothingAndNotControllerIsRetried() throws Exception {
    broker.ops.notControllerAnswers.set(2);
    get(
        admin
            .incrementalAlterConfigs(
                Map.of(TOPIC_T, List.of(op("retention.ms", "5", AlterConfigOp.OpType.SET))),
                new AlterConfigsOptions().validateOnly(true))
            .all());
    assertTrue(broker.ops.configs.isEmpty());
    assertEquals(
        3,
        broker.requests.stream().filter(r -> r instanceof IncrementalAlterConfigsRequest).count());
  }

  @Test
  void reassignmentsAreStartedListedAndCancelled() throws Exception {
    Map<TopicPartition, Optional<NewPartitionReassignment>> plan = new LinkedHashMap<>();
    plan.put(T0, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4))));
    plan.put(T1, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4))));
    broker.ops.notControllerAnswers.set(1);
    get(admin.alterPartitionReassignments(plan).all());

    Map<TopicPartition, PartitionReassignment> ongoing =
        get(admin.listPartitionReassignments().reassignments());
    assertEquals(
        new PartitionReassignment(List.of(2, 3, 4, 1), List.of(4), List.of(1)), ongoing.get(T0));
    assertEquals(Set.of(T0, T1), ongoing.keySet());
    assertEquals(
        Set.of(T1), get(admin.listPartitionReassignments(Set.of(T1)).reassignments()).keySet());

    get(admin.alterPartitionReassignments(Map.of(T1, Optional.empty())).all());
    assertEquals(List.of(2, 3, 1), broker.ops.replicasOf(T1), "cancel restores the replicas");
    assertEquals(Set.of(T0), get(admin.listPartitionReassignments().reassignments()).keySet());

    Throwable notMoving =
        failure(admin.alterPartitionReassignments(Map.of(T1, Optional.empty())).all());
    assertInstanceOf(NoReassignmentInProgressException.class, notMoving);

    AlterPartitionReassignmentsRequest cancel =
        (AlterPartitionReassignmentsRequest)
            broker.requests.stream()
                .filter(r -> r instanceof AlterPartitionReassignmentsRequest)
                .reduce((a, b) -> b)
                .get();
    assertTrue(cancel.getTopics(0).getPartitions(0).getCancel());
    assertEquals(0, cancel.getTopics(0).getPartitions(0).getReplicasCount());
  }

  @Test
  void aRefusedPlanFailsEveryPartitionAndChangesNothing() throws Exception {
    Map<TopicPartition, Optional<NewPartitionReassignment>> plan = new LinkedHashMap<>();
    plan.put(T0, Optional.of(new NewPartitionReassignment(List.of(2, 3, 5))));
    plan.put(T1, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4))));
    AlterPartitionReassignmentsResult r = admin.alterPartitionReassignments(plan);
    Throwable bad = failure(r.values().get(T0));
    assertInstanceOf(InvalidReplicaAssignmentException.class, bad);
    assertEquals("Broker 5 is not live (live brokers: 1,2,3,4)", bad.getMessage());
    assertInstanceOf(InvalidRequestException.class, failure(r.values().get(T1)));
    assertTrue(broker.ops.moving.isEmpty());
    assertEquals(List.of(1, 2, 3), broker.ops.replicasOf(T0));

    // validate only: accepted, nothing recorded
    get(
        admin
            .alterPartitionReassignments(
                Map.of(T1, Optional.of(new NewPartitionReassignment(List.of(2, 3, 4)))),
                new AlterPartitionReassignmentsOptions().validateOnly(true))
            .all());
    assertTrue(broker.ops.moving.isEmpty());
  }

  @Test
  void electLeadersReportsEachPartition() throws Exception {
    broker.ops.leaders.put(T0, 2); // preferred is 1: election moves it back
    Map<TopicPartition, Optional<Throwable>> r =
        get(admin.electLeaders(ElectionType.PREFERRED, Set.of(T0, T1)).partitions());
    assertEquals(Optional.empty(), r.get(T0));
    assertInstanceOf(ElectionNotNeededException.class, r.get(T1).get());
    assertEquals(1, broker.ops.leaders.get(T0));

    broker.ops.brokers.remove(1);
    broker.ops.leaders.put(T0, 2);
    Map<TopicPartition, Optional<Throwable>> all =
        get(admin.electLeaders(ElectionType.PREFERRED, null).partitions());
    assertInstanceOf(PreferredLeaderNotAvailableException.class, all.get(T0).get());
    assertEquals(Set.of(T0, T1), all.keySet());
    ElectLeadersRequest sent =
        (ElectLeadersRequest)
            broker.requests.stream()
                .filter(x -> x instanceof ElectLeadersRequest)
                .reduce((a, b) -> b)
                .get();
    assertTrue(sent.getAllPartitions());
    assertInstanceOf(
        PreferredLeaderNotAvailableException.class,
        failure(admin.electLeaders(ElectionType.PREFERRED, null).all()));

    Map<TopicPartition, Optional<Throwable>> unknown =
        get(
            admin
                .electLeaders(ElectionType.UNCLEAN, Set.of(new TopicPartition("nope", 0)))
                .partitions());
    assertInstanceOf(
        UnknownTopicOrPartitionException.class, unknown.get(new TopicPartition("nope", 0)).get());
  }

  @Test
  void aBrokersOwnConfigsAreAskedOfThatBroker() throws Exception {
    broker.ops.configs.put("broker:2", Map.of("log.retention.ms", "5"));
    Config c = get(admin.describeConfigs(List.of(BROKER_2)).all()).get(BROKER_2);
    assertEquals("5", c.get("log.retention.ms").value());
    assertEquals(
        ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, c.get("log.retention.ms").source());
    assertTrue(broker.connectedHosts.contains("broker2"), broker.connectedHosts.toString());

    ConfigResource defaults = new ConfigResource(ConfigResource.Type.BROKER, "");
    broker.ops.configs.put("broker:", Map.of("log.retention.ms", "7"));
    assertEquals(
        ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        get(admin.describeConfigs(List.of(defaults)).all())
            .get(defaults)
            .get("log.retention.ms")
            .source());

    ConfigResource gone = new ConfigResource(ConfigResource.Type.BROKER, "9");
    Throwable e =
        failure(
            admin
                .describeConfigs(List.of(gone), new DescribeConfigsOptions().timeoutMs(300))
                .all());
    assertTrue(
        e.getMessage().contains("Broker 9 is not available (live brokers: 1,2,3,4)"),
        e.getMessage());
  }
}
