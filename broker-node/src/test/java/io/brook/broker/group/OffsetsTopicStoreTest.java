package io.brook.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.LogManagerConfig;
import io.brook.broker.replica.ReplicaManager;
import io.brook.broker.testing.Wait;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.OffsetCommitValue;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.StopReplicaRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link OffsetsTopicStore} over a real {@link ReplicaManager} and log files (one broker, no
 * network): leadership changes reach the listener in order, loads see what was appended, appends
 * map replication outcomes to coordinator errors.
 */
class OffsetsTopicStoreTest {
  @TempDir Path dir;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("store-test", 2);
  final UUID topicId = UUID.randomUUID();
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<GroupStore.LoadedPartition> loads = new CopyOnWriteArrayList<>();
  LogManager logManager;
  ReplicaManager rm;
  OffsetsTopicStore store;

  @BeforeEach
  void start() {
    logManager = new LogManager(List.of(dir), LogManagerConfig.DEFAULT, scheduler, time);
    logManager.startup();
    rm = new ReplicaManager(1, logManager, Map.of(), t -> true, scheduler);
    store = new OffsetsTopicStore(1, rm, () -> 3, 1024, 200, time);
    store.setListener(
        new GroupStore.Listener() {
          @Override
          public void onElection(int partition, int leaderEpoch) {
            events.add("election " + partition + " " + leaderEpoch);
          }

          @Override
          public void onLoaded(int partition, int leaderEpoch, GroupStore.LoadedPartition loaded) {
            events.add("loaded " + partition + " " + leaderEpoch);
            loads.add(loaded);
          }

          @Override
          public void onResignation(int partition, int leaderEpoch) {
            events.add("resignation " + partition + " " + leaderEpoch);
          }
        });
    store.startup();
  }

  @AfterEach
  void stop() {
    store.close();
    rm.close();
    logManager.close();
    scheduler.close();
  }

  void leaderAndIsr(String topic, int partition, int leader, int epoch, List<Integer> isr) {
    leaderAndIsr(topic, partition, leader, epoch, isr, Map.of());
  }

  void leaderAndIsr(
      String topic,
      int partition,
      int leader,
      int epoch,
      List<Integer> isr,
      Map<String, String> configs) {
    LeaderAndIsrRequest req =
        LeaderAndIsrRequest.newBuilder()
            .addTopics(
                LeaderAndIsrTopic.newBuilder()
                    .setTopic(topic)
                    .setTopicId(topicId.toString())
                    .putAllConfigs(configs)
                    .addPartitions(
                        PartitionState.newBuilder()
                            .setTopic(topic)
                            .setPartition(partition)
                            .setLeader(leader)
                            .setLeaderEpoch(epoch)
                            .setPartitionEpoch(epoch)
                            .addAllIsr(isr)
                            .addAllReplicas(List.of(1, 2))))
            .build();
    assertEquals(List.of(), rm.applyLeaderAndIsr(req));
  }

  void waitForEvents(String... expected) {
    Wait.until(
        "listener events " + List.of(expected) + ", got " + events,
        Duration.ofSeconds(30),
        () -> events.equals(List.of(expected)));
  }

  static OffsetCommitValue offset(long o) {
    return OffsetCommitValue.newBuilder().setOffset(o).setExpireTimestamp(-1).build();
  }

  /** A group id whose partition (of 3) is {@code partition}. */
  static String groupOn(int partition) {
    for (int i = 0; ; i++) {
      if (OffsetsTopicStore.partitionFor("group-" + i, 3) == partition) {
        return "group-" + i;
      }
    }
  }

  ErrorCode append(String group, GroupRecord... records) throws Exception {
    return store.append(group, List.of(records)).get(30, TimeUnit.SECONDS);
  }

  @Test
  void electionLoadsWhatWasAppendedAndResignationFollows() throws Exception {
    String g = groupOn(1);
    TopicPartition tp = new TopicPartition("orders", 0);
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 1, 1, List.of(1));
    waitForEvents("election 1 1", "loaded 1 1");
    assertTrue(loads.get(0).groups().isEmpty());

    GroupMetadataValue meta = GroupMetadataValue.newBuilder().setGeneration(4).build();
    assertEquals(ErrorCode.NONE, append(g, new GroupRecord.GroupMetadata(g, meta)));
    assertEquals(
        ErrorCode.NONE,
        append(
            g,
            new GroupRecord.OffsetCommit(g, tp, offset(5)),
            new GroupRecord.OffsetCommit(g, tp, offset(9))));

    // Leadership moves away and comes back with a newer epoch: the new load sees the records.
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 2, 2, List.of(1, 2));
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 1, 3, List.of(1));
    waitForEvents("election 1 1", "loaded 1 1", "resignation 1 2", "election 1 3", "loaded 1 3");
    GroupStore.LoadedPartition reloaded = loads.get(1);
    assertEquals(Map.of(g, meta), reloaded.groups());
    assertEquals(Map.of(g, Map.of(tp, offset(9))), reloaded.offsets());
    assertEquals(Map.of(1, 3), store.ledPartitions());
  }

  @Test
  void otherTopicsAreIgnored() throws Exception {
    leaderAndIsr("orders", 1, 1, 1, List.of(1));
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 0, 1, 1, List.of(1));
    waitForEvents("election 0 1", "loaded 0 1");
  }

  @Test
  void appendWhenNotLeaderIsNotCoordinator() throws Exception {
    String g = groupOn(2);
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 2, 2, 1, List.of(1, 2));
    assertEquals(ErrorCode.NOT_COORDINATOR, append(g, new GroupRecord.GroupMetadata(g, null)));
    // Never led here: no callbacks at all.
    assertEquals(List.of(), events);
    // A partition this broker does not hold at all.
    String other = groupOn(0);
    assertEquals(
        ErrorCode.NOT_COORDINATOR, append(other, new GroupRecord.GroupMetadata(other, null)));
  }

  @Test
  void appendBelowMinInsyncReplicasIsCoordinatorNotAvailable() throws Exception {
    String g = groupOn(1);
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 1, 1, List.of(1), Map.of("min.insync.replicas", "2"));
    assertEquals(
        ErrorCode.COORDINATOR_NOT_AVAILABLE, append(g, new GroupRecord.GroupMetadata(g, null)));
  }

  @Test
  void appendNotReplicatedInTimeIsCoordinatorNotAvailable() throws Exception {
    String g = groupOn(1);
    // The follower in the ISR never fetches: the high watermark cannot pass the batch.
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 1, 1, List.of(1, 2));
    assertEquals(
        ErrorCode.COORDINATOR_NOT_AVAILABLE, append(g, new GroupRecord.GroupMetadata(g, null)));
  }

  @Test
  void stopReplicaAndCloseResign() throws Exception {
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 0, 1, 1, List.of(1));
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 2, 1, 4, List.of(1));
    waitForEvents("election 0 1", "loaded 0 1", "election 2 4", "loaded 2 4");
    rm.stopReplicas(
        StopReplicaRequest.newBuilder()
            .addPartitions(
                StopReplicaPartition.newBuilder()
                    .setTopic(Topic.CONSUMER_OFFSETS)
                    .setPartition(0)
                    .setLeaderEpoch(1))
            .build());
    waitForEvents("election 0 1", "loaded 0 1", "election 2 4", "loaded 2 4", "resignation 0 1");
    store.close();
    assertEquals(
        List.of(
            "election 0 1",
            "loaded 0 1",
            "election 2 4",
            "loaded 2 4",
            "resignation 0 1",
            "resignation 2 4"),
        events);
    assertEquals(Map.of(), store.ledPartitions());
  }

  @Test
  void partitionsLedBeforeStartupAreLoaded() throws Exception {
    store.close();
    leaderAndIsr(Topic.CONSUMER_OFFSETS, 1, 1, 2, List.of(1));
    List<String> late = Collections.synchronizedList(new ArrayList<>());
    OffsetsTopicStore second = new OffsetsTopicStore(1, rm, () -> 3, 1024, 200, time);
    second.setListener(
        new GroupStore.Listener() {
          @Override
          public void onElection(int partition, int leaderEpoch) {
            late.add("election " + partition + " " + leaderEpoch);
          }

          @Override
          public void onLoaded(int partition, int leaderEpoch, GroupStore.LoadedPartition l) {
            late.add("loaded " + partition + " " + leaderEpoch);
          }

          @Override
          public void onResignation(int partition, int leaderEpoch) {
            late.add("resignation " + partition + " " + leaderEpoch);
          }
        });
    try {
      second.startup();
      Wait.until(
          "the led partition loaded, got " + late,
          Duration.ofSeconds(30),
          () -> late.equals(List.of("election 1 2", "loaded 1 2")));
    } finally {
      second.close();
    }
    assertEquals(List.of("election 1 2", "loaded 1 2", "resignation 1 2"), late);
  }

  @ParameterizedTest
  @CsvSource({
    "NONE, NONE",
    "NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR",
    "UNKNOWN_TOPIC_OR_PARTITION, NOT_COORDINATOR",
    "NOT_ENOUGH_REPLICAS, COORDINATOR_NOT_AVAILABLE",
    "NOT_ENOUGH_REPLICAS_AFTER_APPEND, COORDINATOR_NOT_AVAILABLE",
    "REQUEST_TIMED_OUT, COORDINATOR_NOT_AVAILABLE",
    "KAFKA_STORAGE_ERROR, COORDINATOR_NOT_AVAILABLE",
    "RECORD_TOO_LARGE, UNKNOWN_SERVER_ERROR",
    "RECORD_LIST_TOO_LARGE, UNKNOWN_SERVER_ERROR",
    "CORRUPT_MESSAGE, UNKNOWN_SERVER_ERROR",
  })
  void mapsAppendErrorsAsKafka(ErrorCode append, ErrorCode coordinator) {
    assertEquals(coordinator, OffsetsTopicStore.coordinatorError(append));
  }

  @Test
  void partitionForIsKafkasAbsHashModuloCount() {
    // Kafka: Utils.abs(groupId.hashCode) % groupMetadataTopicPartitionCount
    for (String g : List.of("", "a", "my-group", "polygenelubricants", "console-consumer-1")) {
      int expected = (g.hashCode() & 0x7fffffff) % 50;
      assertEquals(expected, OffsetsTopicStore.partitionFor(g, 50), g);
    }
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Math.abs would stay negative.
    assertEquals(Integer.MIN_VALUE, "polygenelubricants".hashCode());
    assertEquals(0, OffsetsTopicStore.partitionFor("polygenelubricants", 50));
    assertEquals(1, OffsetsTopicStore.partitionFor("a", 3)); // 'a' = 97
    assertEquals(OffsetsTopicStore.partitionFor("g", 3), store.partitionFor("g"));
  }
}
