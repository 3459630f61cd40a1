package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.FakeController;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.v1.ConfigEntry;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigResourceType;
import io.brook.protocol.v1.ConfigSource;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResult;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real broker on a real ZooKeeper, with the test playing the controller over the broker's own
 * BrokerControlService ({@link FakeController}) and a client over raw gRPC stubs: the produce,
 * fetch and list-offsets paths, every bad input, and controller / broker epoch fencing.
 */
class SingleBrokerTest {
  static TestingServer zk;
  static BrokerServer broker;
  static FakeController controller;
  static BrokerClient client;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    zk = new TestingServer(true);
    broker =
        BrokerServer.startInProcess(
            Map.of(
                "broker.id", "1",
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dir.resolve("logs").toString(),
                "zookeeper.connect", zk.getConnectString() + "/brook",
                "controller.candidate", "false",
                "auto.create.topics.enable", "false",
                // No real controller to move leadership with at close (a FakeController).
                "controlled.shutdown.enable", "false"));
    controller = new FakeController(broker, 99, 1);
    client = new BrokerClient(broker.boundPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  private static long logEnd(String topic, int p) {
    return broker.logManager().getLog(new TopicPartition(topic, p)).orElseThrow().logEndOffset();
  }

  private static List<String> values(ByteString fetched) {
    List<String> out = new ArrayList<>();
    for (RecordBatch b : RecordBatches.of(fetched.asReadOnlyByteBuffer())) {
      for (Record r : b.records()) {
        ByteBuffer v = r.value();
        byte[] bytes = new byte[v.remaining()];
        v.get(bytes);
        out.add(r.offset() + ":" + new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void pipelinedProduceIsAppendedInOrderAndFetchedBack() throws Exception {
    controller.createTopic("orders", 1, Map.of());
    try (BrokerClient.ProduceStream s = client.openProduce()) {
      for (int i = 0; i < 10; i++) {
        s.send(BrokerClient.produceRequest(i, 1, "orders", 0, Batches.of(3, 1000 + i)));
      }
      for (int i = 0; i < 10; i++) {
        ProduceResponse r = s.next();
        assertEquals(i, r.getRequestId(), "responses in request order");
        PartitionProduceResponse p = r.getTopics(0).getPartitions(0);
        assertEquals(ErrorCode.NONE, p.getError(), p.getErrorMessage());
        assertEquals(3L * i, p.getBaseOffset());
      }
    }
    FetchPartitionResponse f = client.fetch("orders", 0, 0);
    assertEquals(ErrorCode.NONE, f.getError());
    assertEquals(30, f.getHighWatermark());
    List<String> v = values(f.getRecords());
    assertEquals(30, v.size());
    assertEquals("0:value-0", v.get(0));
    assertEquals("29:value-2", v.get(29));

    // From the middle: the batch holding offset 4 starts at 3.
    FetchPartitionResponse mid = client.fetch("orders", 0, 4);
    assertEquals("3:value-0", values(mid.getRecords()).get(0));
    // At the high watermark: nothing, no error.
    FetchPartitionResponse end = client.fetch("orders", 0, 30);
    assertEquals(ErrorCode.NONE, end.getError());
    assertTrue(end.getRecords().isEmpty());
  }

  @Test
  void acksZeroIsAppendedWithoutAnswerAndAcksAllAnswersOnceCommitted() throws Exception {
    controller.createTopic("acks", 1, Map.of());
    try (BrokerClient.ProduceStream s = client.openProduce()) {
      s.send(BrokerClient.produceRequest(1, 0, "acks", 0, Batches.of(2, 1)));
      s.send(BrokerClient.produceRequest(2, -1, "acks", 0, Batches.of(2, 1)));
      ProduceResponse r = s.next();
      assertEquals(2, r.getRequestId(), "acks=0 gets no response");
      assertEquals(ErrorCode.NONE, r.getTopics(0).getPartitions(0).getError());
      assertEquals(2, r.getTopics(0).getPartitions(0).getBaseOffset());
    }
    assertEquals(4, client.listOffset("acks", 0, -1).getOffset());
  }

  /**
   * An acks=0 request that fails has no answer to carry the error, so the broker ends the stream
   * (Kafka closes the connection) and the producer looks the leader up again; found by the fault
   * suite, where an acks=0 producer kept sending to a broker that no longer led its partition.
   */
  @Test
  void failedAcksZeroProduceEndsTheStream() throws Exception {
    controller.createTopic("acks0", 1, Map.of());
    try (BrokerClient.ProduceStream s = client.openProduce()) {
      s.send(BrokerClient.produceRequest(1, 0, "acks0", 0, Batches.of(2, 1)));
      s.send(BrokerClient.produceRequest(2, 0, "acks0", 5, Batches.of(2, 1))); // no partition 5
      BrokerClient.StreamFailedException e =
          assertThrows(BrokerClient.StreamFailedException.class, s::next);
      assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
      assertTrue(e.getMessage().contains("UNKNOWN_TOPIC_OR_PARTITION"), e.getMessage());
    }
    assertEquals(2, client.listOffset("acks0", 0, -1).getOffset());
  }

  @Test
  void invalidAcksIsRefused() throws Exception {
    controller.createTopic("badacks", 1, Map.of());
    ProduceResponse r =
        client.produce(BrokerClient.produceRequest(7, 2, "badacks", 0, Batches.of(1, 1)));
    assertEquals(7, r.getRequestId());
    assertEquals(ErrorCode.INVALID_REQUIRED_ACKS, r.getError());
    assertEquals(0, logEnd("badacks", 0));
  }

  @Test
  void batchOverMaxMessageBytesIsRefusedWithNothingAppended() throws Exception {
    controller.createTopic("small", 1, Map.of("max.message.bytes", "1000"));
    PartitionProduceResponse r = client.produceOne(1, "small", 0, Batches.ofSize(2000));
    assertEquals(ErrorCode.RECORD_TOO_LARGE, r.getError());
    assertTrue(r.getErrorMessage().contains("max.message.bytes=1000"), r.getErrorMessage());
    assertTrue(r.getErrorMessage().contains("small"), r.getErrorMessage());
    assertEquals(0, logEnd("small", 0));

    // A 2 MB batch under socket.request.max.bytes reaches the broker and gets RECORD_TOO_LARGE
    // (default max.message.bytes), not a transport error.
    controller.createTopic("default-size", 1, Map.of());
    PartitionProduceResponse big =
        client.produceOne(1, "default-size", 0, Batches.ofSize(2_000_000));
    assertEquals(ErrorCode.RECORD_TOO_LARGE, big.getError(), big.getErrorMessage());
    assertTrue(big.getErrorMessage().contains("1048588"), big.getErrorMessage());
    assertEquals(0, logEnd("default-size", 0));
  }

  @Test
  void corruptBatchIsRefusedWithNothingAppended() throws Exception {
    controller.createTopic("crc", 1, Map.of());
    PartitionProduceResponse r = client.produceOne(1, "crc", 0, Batches.corrupt(Batches.of(5, 1)));
    assertEquals(ErrorCode.CORRUPT_MESSAGE, r.getError(), r.getErrorMessage());
    assertEquals(0, logEnd("crc", 0));
    // A good batch after it is appended at offset 0.
    assertEquals(0, client.produceOne(1, "crc", 0, Batches.of(5, 1)).getBaseOffset());
  }

  @Test
  void garbageRecordsAreAnsweredWithAnErrorAndTheBrokerStaysHealthy() throws Exception {
    controller.createTopic("garbage", 1, Map.of());
    byte[] junk = new byte[300];
    new Random(42).nextBytes(junk);
    for (ByteString bytes :
        List.of(ByteString.copyFrom(junk), ByteString.EMPTY, Batches.of(1, 1).substring(0, 20))) {
      PartitionProduceResponse r = client.produceOne(1, "garbage", 0, bytes);
      assertEquals(ErrorCode.CORRUPT_MESSAGE, r.getError(), r.getErrorMessage());
    }
    assertEquals(0, logEnd("garbage", 0));
    MetadataResponse m =
        client.call().metadata(MetadataRequest.newBuilder().addTopics("garbage").build());
    assertEquals(ErrorCode.NONE, m.getTopics(0).getError());
    assertEquals(0, client.produceOne(1, "garbage", 0, Batches.of(1, 1)).getBaseOffset());
  }

  @Test
  void unknownAndInvalidTopicsAreRefused() throws Exception {
    assertEquals(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        client.produceOne(1, "nope", 0, Batches.of(1, 1)).getError());
    for (String bad : List.of(".", "..", "x".repeat(250), "a/b", "a b")) {
      PartitionProduceResponse r = client.produceOne(1, bad, 0, Batches.of(1, 1));
      assertEquals(ErrorCode.INVALID_TOPIC, r.getError(), bad);
      MetadataResponse m =
          client.call().metadata(MetadataRequest.newBuilder().addTopics(bad).build());
      assertEquals(ErrorCode.INVALID_TOPIC, m.getTopics(0).getError(), bad);
    }
    MetadataResponse m =
        client.call().metadata(MetadataRequest.newBuilder().addTopics("nope").build());
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, m.getTopics(0).getError());
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.fetch("nope", 0, 0).getError());
  }

  @Test
  void acksAllBelowMinInsyncReplicasIsRefusedBeforeAppending() throws Exception {
    controller.createTopic("minisr", 1, Map.of("min.insync.replicas", "2"));
    PartitionProduceResponse r = client.produceOne(-1, "minisr", 0, Batches.of(3, 1));
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, r.getError());
    assertTrue(r.getErrorMessage().contains("min.insync.replicas=2"), r.getErrorMessage());
    assertEquals(0, logEnd("minisr", 0));
    assertEquals(ErrorCode.NONE, client.produceOne(1, "minisr", 0, Batches.of(3, 1)).getError());
  }

  @Test
  void fetchOutOfRangeAndStaleEpochs() throws Exception {
    controller.createTopic("range", 1, Map.of());
    client.produceOne(1, "range", 0, Batches.of(5, 1));
    FetchPartitionResponse r = client.fetch("range", 0, 100);
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, r.getError());
    assertEquals(5, r.getHighWatermark());
    assertEquals(0, r.getLogStartOffset());

    // The partition is at leader epoch 0: -1 skips the check, 1 is unknown; move to epoch 2 and 1
    // becomes fenced.
    FetchResponse unknown = client.call().fetch(BrokerClient.fetchRequest("range", 0, 0, 0, 1, 1));
    assertEquals(ErrorCode.UNKNOWN_LEADER_EPOCH, unknown.getTopics(0).getPartitions(0).getError());
    LeaderAndIsrResponse lr =
        controller.leaderAndIsr(
            LeaderAndIsrRequest.newBuilder()
                .addTopics(
                    LeaderAndIsrTopic.newBuilder()
                        .setTopic("range")
                        .setTopicId(
                            broker
                                .logManager()
                                .getLog(new TopicPartition("range", 0))
                                .orElseThrow()
                                .topicId()
                                .toString())
                        .addPartitions(FakeController.state("range", 0, 1, 2)))
                .build());
    assertEquals(0, lr.getPartitionsCount(), lr.toString());
    FetchResponse fenced = client.call().fetch(BrokerClient.fetchRequest("range", 0, 0, 0, 1, 1));
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, fenced.getTopics(0).getPartitions(0).getError());
    FetchResponse ok = client.call().fetch(BrokerClient.fetchRequest("range", 0, 0, 0, 1, 2));
    assertEquals(ErrorCode.NONE, ok.getTopics(0).getPartitions(0).getError());

    // An older leader epoch from the controller is ignored.
    LeaderAndIsrResponse stale =
        controller.leaderAndIsr(
            LeaderAndIsrRequest.newBuilder()
                .addTopics(
                    LeaderAndIsrTopic.newBuilder()
                        .setTopic("range")
                        .setTopicId(
                            broker
                                .logManager()
                                .getLog(new TopicPartition("range", 0))
                                .orElseThrow()
                                .topicId()
                                .toString())
                        .addPartitions(FakeController.state("range", 0, 1, 1)))
                .build());
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, stale.getPartitions(0).getError());
    assertEquals(
        2,
        broker
            .replicaManager()
            .partition(new TopicPartition("range", 0))
            .orElseThrow()
            .leaderEpoch());
  }

  @Test
  void longPollReturnsWhenDataArrivesAndAfterMaxWaitWhenNoneDoes() throws Exception {
    controller.createTopic("poll", 1, Map.of());
    // No data: answered empty once max_wait_ms passed.
    FetchResponse empty = client.call().fetch(BrokerClient.fetchRequest("poll", 0, 0, 200, 1, -1));
    assertEquals(ErrorCode.NONE, empty.getTopics(0).getPartitions(0).getError());
    assertTrue(empty.getTopics(0).getPartitions(0).getRecords().isEmpty());

    // Data arrives while waiting (max_wait_ms far beyond the test's own deadline).
    CompletableFuture<FetchResponse> waiting = new CompletableFuture<>();
    client
        .async
        .withDeadlineAfter(120, TimeUnit.SECONDS)
        .fetch(
            BrokerClient.fetchRequest("poll", 0, 0, 100_000, 1, -1),
            new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(FetchResponse value) {
                waiting.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                waiting.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    io.brook.broker.testing.Wait.until(
        "the fetch to wait in the purgatory",
        () -> broker.replicaManager() != null && !waiting.isDone() && watchedFetches() > 0);
    assertEquals(0, client.produceOne(1, "poll", 0, Batches.of(2, 1)).getBaseOffset());
    FetchResponse got = waiting.get(60, TimeUnit.SECONDS);
    assertEquals(
        List.of("0:value-0", "1:value-1"), values(got.getTopics(0).getPartitions(0).getRecords()));
  }

  private static int watchedFetches() {
    return broker.replicaManager().waitingFetches();
  }

  @Test
  void listOffsetsEarliestLatestByTimestampAndMaxTimestamp() throws Exception {
    controller.createTopic("times", 1, Map.of());
    client.produceOne(1, "times", 0, Batches.of(3, 1000)); // offsets 0-2, ts 1000-1002
    client.produceOne(1, "times", 0, Batches.of(3, 5000)); // offsets 3-5, ts 5000-5002
    client.produceOne(1, "times", 0, Batches.of(1, 3000)); // offset 6, ts 3000
    assertEquals(0, client.listOffset("times", 0, -2).getOffset());
    assertEquals(7, client.listOffset("times", 0, -1).getOffset());
    ListOffsetsPartitionResponse byTs = client.listOffset("times", 0, 4000);
    assertEquals(3, byTs.getOffset());
    ListOffsetsPartitionResponse max = client.listOffset("times", 0, -3);
    assertEquals(5002, max.getTimestamp());
    assertEquals(-1, client.listOffset("times", 0, 99_999).getOffset());
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, client.listOffset("nope", 0, -1).getError());
  }

  @Test
  void requestsFromAnOlderControllerEpochOrToAnOlderBrokerEpochAreRefused() {
    controller.createTopic("fence", 1, Map.of());
    FakeController newer = new FakeController(broker, 98, controller.controllerEpoch + 5);
    FakeController older = new FakeController(broker, 97, controller.controllerEpoch + 4);
    try {
      assertEquals(
          ErrorCode.NONE,
          newer
              .updateMetadata(
                  UpdateMetadataRequest.newBuilder().addLiveBrokers(newer.self()).build())
              .getError());
      UpdateMetadataResponse r =
          older.updateMetadata(
              UpdateMetadataRequest.newBuilder()
                  .addLiveBrokers(older.self())
                  .addDeletedTopics("fence")
                  .build());
      assertEquals(ErrorCode.STALE_CONTROLLER_EPOCH, r.getError());
      assertTrue(
          broker.metadataCache().topic("fence").isPresent(), "stale request changed nothing");

      LeaderAndIsrResponse staleBroker =
          newer.leaderAndIsr(
              LeaderAndIsrRequest.newBuilder()
                  .setControllerId(98)
                  .setControllerEpoch(newer.controllerEpoch)
                  .setBrokerEpoch(broker.brokerEpoch() - 1)
                  .build());
      assertEquals(ErrorCode.STALE_BROKER_EPOCH, staleBroker.getError());
    } finally {
      controller.controllerEpoch = newer.controllerEpoch;
      newer.close();
      older.close();
    }
  }

  @Test
  void deletedTopicIsGone() throws Exception {
    controller.createTopic("gone", 2, Map.of());
    client.produceOne(1, "gone", 1, Batches.of(1, 1));
    assertEquals(0, controller.deleteTopic("gone", List.of(0, 1)).getPartitionsCount());
    assertFalse(broker.logManager().getLog(new TopicPartition("gone", 1)).isPresent());
    assertEquals(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        client.produceOne(1, "gone", 1, Batches.of(1, 1)).getError());
  }

  @Test
  void describeConfigsShowsOverridesAndDefaultsWithTheirSources() {
    controller.createTopic("conf", 1, Map.of("retention.ms", "1234"));
    DescribeConfigsResult r =
        client
            .call()
            .describeConfigs(
                DescribeConfigsRequest.newBuilder()
                    .addResources(
                        ConfigResource.newBuilder()
                            .setType(ConfigResourceType.TOPIC)
                            .setName("conf"))
                    .build())
            .getResults(0);
    assertEquals(ErrorCode.NONE, r.getError());
    ConfigEntry retention =
        r.getEntriesList().stream()
            .filter(e -> e.getName().equals("retention.ms"))
            .findFirst()
            .orElseThrow();
    assertEquals("1234", retention.getValue());
    assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.getSource());
    ConfigEntry segment =
        r.getEntriesList().stream()
            .filter(e -> e.getName().equals("segment.bytes"))
            .findFirst()
            .orElseThrow();
    assertEquals(ConfigSource.DEFAULT_CONFIG, segment.getSource());
  }

  @Test
  void metadataListsBrokersAndPartitions() {
    controller.createTopic("meta", 3, Map.of());
    MetadataResponse m =
        client.call().metadata(MetadataRequest.newBuilder().addTopics("meta").build());
    assertEquals(broker.clusterId(), m.getClusterId());
    assertEquals(1, m.getBrokersCount());
    assertEquals(broker.boundPort(), m.getBrokers(0).getPort());
    assertEquals(3, m.getTopics(0).getPartitionsCount());
    assertEquals(1, m.getTopics(0).getPartitions(2).getLeader());
    assertArrayEquals(new Object[] {1}, m.getTopics(0).getPartitions(0).getIsrList().toArray());
  }
}
