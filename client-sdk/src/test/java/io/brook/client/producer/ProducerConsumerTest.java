package io.brook.client.producer;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.serialization.StringDeserializer;
import io.brook.client.common.serialization.StringSerializer;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.internals.FakeBroker;
import io.brook.client.producer.internals.BuiltInPartitioner;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Producer and consumer against an in-process fake broker (real gRPC, in-process transport). */
class ProducerConsumerTest {
  private FakeBroker broker;

  @BeforeEach
  void start() throws Exception {
    broker = new FakeBroker();
    broker.createTopic("t", 3);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private BrookProducer<String, String> producer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("linger.ms", "1");
    p.put("retry.backoff.ms", "10");
    p.putAll(extra);
    return new BrookProducer<>(
        new ProducerConfig(p), null, null, broker.channels(), Time.SYSTEM, bound -> 0);
  }

  private BrookConsumer<String, String> consumer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("fetch.max.wait.ms", "20");
    p.put("auto.offset.reset", "earliest");
    p.putAll(extra);
    return new BrookConsumer<>(new ConsumerConfig(p), null, null, broker.channels(), Time.SYSTEM);
  }

  @Test
  void keyedRecordsLandOnKafkasPartitionsAndComeBackInOrder() throws Exception {
    List<Future<RecordMetadata>> fs = new ArrayList<>();
    try (BrookProducer<String, String> p = producer(Map.of())) {
      for (int i = 0; i < 100; i++) {
        fs.add(p.send(new ProducerRecord<>("t", "k" + (i % 10), "v" + i)));
      }
      p.flush();
    }
    for (int i = 0; i < 100; i++) {
      RecordMetadata md = fs.get(i).get();
      byte[] key = ("k" + (i % 10)).getBytes(StandardCharsets.UTF_8);
      assertEquals(BuiltInPartitioner.partitionForKey(key, 3), md.partition(), "record " + i);
      assertTrue(md.offset() >= 0);
    }
    try (BrookConsumer<String, String> c = consumer(Map.of("max.poll.records", "7"))) {
      List<TopicPartition> tps =
          List.of(
              new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2));
      c.assign(tps);
      Map<Integer, Long> lastOffset = new HashMap<>();
      int n = 0;
      long deadline = System.currentTimeMillis() + 20000;
      while (n < 100 && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> recs = c.poll(Duration.ofMillis(200));
        assertTrue(recs.count() <= 7, "max.poll.records");
        for (ConsumerRecord<String, String> r : recs) {
          Long prev = lastOffset.put(r.partition(), r.offset());
          assertTrue(prev == null || prev + 1 == r.offset(), "offsets in order");
          n++;
        }
      }
      assertEquals(100, n);
      long total = 0;
      for (TopicPartition tp : tps) {
        total += c.position(tp);
      }
      assertEquals(100, total);
    }
  }

  @Test
  void seekSkipsRecordsBeforeTheOffsetInsideTheFirstBatch() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of("linger.ms", "50"))) {
      for (int i = 0; i < 20; i++) {
        p.send(new ProducerRecord<>("t", 0, null, "v" + i));
      }
      p.flush();
    }
    assertTrue(broker.logs.get("t-0").size() < 20, "records were batched");
    try (BrookConsumer<String, String> c = consumer(Map.of())) {
      TopicPartition tp = new TopicPartition("t", 0);
      c.assign(List.of(tp));
      c.seek(tp, 13);
      ConsumerRecords<String, String> recs = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 10000;
      while (recs.isEmpty() && System.currentTimeMillis() < deadline) {
        recs = c.poll(Duration.ofMillis(200));
      }
      ConsumerRecord<String, String> first = recs.iterator().next();
      assertEquals(13, first.offset());
      assertEquals("v13", first.value());
      c.seekToEnd(List.of(tp));
      assertEquals(20, c.position(tp));
      c.seekToBeginning(List.of(tp));
      assertEquals(0, c.position(tp));
      assertEquals(20L, c.endOffsets(List.of(tp)).get(tp));
    }
  }

  @Test
  void fetchRetriesLeadershipAndEpochErrorsWithAMetadataRefresh() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      p.send(new ProducerRecord<>("t", 1, null, "x")).get();
    }
    List<ErrorCode> errors =
        List.of(
            ErrorCode.NOT_LEADER_OR_FOLLOWER,
            ErrorCode.FENCED_LEADER_EPOCH,
            ErrorCode.UNKNOWN_LEADER_EPOCH,
            ErrorCode.LEADER_NOT_AVAILABLE,
            ErrorCode.OFFSET_NOT_AVAILABLE);
    try (BrookConsumer<String, String> c = consumer(Map.of("retry.backoff.ms", "10"))) {
      TopicPartition tp = new TopicPartition("t", 1);
      c.assign(List.of(tp));
      c.seek(tp, 0);
      int metadataBefore = broker.metadataRequests.get();
      broker.fetchErrors.addAll(errors);
      ConsumerRecords<String, String> recs = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 10000;
      while (recs.isEmpty() && System.currentTimeMillis() < deadline) {
        recs = c.poll(Duration.ofMillis(100));
      }
      assertEquals("x", recs.iterator().next().value(), "the fetch was retried");
      assertTrue(broker.fetchErrors.isEmpty(), "every injected error was answered");
      assertTrue(broker.metadataRequests.get() > metadataBefore, "metadata refreshed");
    }
  }

  @Test
  void outOfRangeResetsToEarliest() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      p.send(new ProducerRecord<>("t", 1, null, "x")).get();
    }
    try (BrookConsumer<String, String> c = consumer(Map.of())) {
      TopicPartition tp = new TopicPartition("t", 1);
      c.assign(List.of(tp));
      c.seek(tp, 500);
      ConsumerRecords<String, String> recs = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 10000;
      while (recs.isEmpty() && System.currentTimeMillis() < deadline) {
        recs = c.poll(Duration.ofMillis(100));
      }
      assertEquals("x", recs.iterator().next().value());
    }
  }

  @Test
  void retriesNotLeaderWithAMetadataRefresh() throws Exception {
    broker.produceErrors.add(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    try (BrookProducer<String, String> p = producer(Map.of())) {
      RecordMetadata md = p.send(new ProducerRecord<>("t", 2, null, "v")).get();
      assertEquals(0, md.offset());
    }
    assertTrue(broker.produceRequests.size() >= 2, "retried");
    assertTrue(broker.metadataRequests.get() >= 2, "metadata refreshed");
  }

  @Test
  void nonRetriableErrorFailsTheRecordAndRunsTheCallback() throws Exception {
    broker.produceErrors.add(ErrorCode.RECORD_TOO_LARGE);
    Exception[] seen = new Exception[1];
    try (BrookProducer<String, String> p = producer(Map.of())) {
      Future<RecordMetadata> f =
          p.send(new ProducerRecord<>("t", 0, null, "v"), (m, e) -> seen[0] = e);
      ExecutionException e = assertThrows(ExecutionException.class, f::get);
      assertInstanceOf(io.brook.client.common.errors.RecordTooLargeException.class, e.getCause());
    }
    assertNotNull(seen[0]);
  }

  @Test
  void acksZeroCompletesWithoutAResponse() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of("acks", "0"))) {
      RecordMetadata md = p.send(new ProducerRecord<>("t", 0, null, "v")).get();
      assertEquals(-1, md.offset());
    }
    assertEquals(0, broker.produceRequests.get(0).getAcks());
  }

  @Test
  void deliveryTimeoutExpiresUnansweredRecords() throws Exception {
    broker.answerProduce = false;
    try (BrookProducer<String, String> p =
        producer(
            Map.of("request.timeout.ms", "200", "delivery.timeout.ms", "600", "linger.ms", "0"))) {
      Future<RecordMetadata> f = p.send(new ProducerRecord<>("t", 0, null, "v"));
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get());
      assertInstanceOf(TimeoutException.class, e.getCause());
      p.close(Duration.ZERO);
    }
  }

  @Test
  void inFlightLimitIsRespected() throws Exception {
    broker.answerProduce = false;
    try (BrookProducer<String, String> p =
        producer(
            Map.of(
                "max.in.flight.requests.per.connection",
                "2",
                "batch.size",
                "1",
                "linger.ms",
                "0",
                "request.timeout.ms",
                "60000",
                "delivery.timeout.ms",
                "120000"))) {
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>("t", 0, null, "v" + i));
      }
      long deadline = System.currentTimeMillis() + 5000;
      while (broker.produceRequests.size() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(100); // give a wrong implementation the chance to send a third
      assertEquals(2, broker.produceRequests.size());
      p.close(Duration.ZERO);
    }
  }

  @Test
  void unknownTopicTimesOutAfterMaxBlock() {
    try (BrookProducer<String, String> p = producer(Map.of("max.block.ms", "200"))) {
      Future<RecordMetadata> f = p.send(new ProducerRecord<>("missing", "v"));
      ExecutionException e = assertThrows(ExecutionException.class, f::get);
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertEquals(
          "Topic missing not present in metadata after 200 ms.", e.getCause().getMessage());
    }
  }
}
