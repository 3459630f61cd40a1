package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogCleaner;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer reads a cleaned (compacted) partition: offset gaps, producer batches whose last
 * records were removed (the batch keeps its last offset, so it ends past its last record) and a
 * producer's last batch left with no records. It must return the latest value of every key of the
 * cleaned section plus the records of the active segment, and its position must follow the batches:
 * after the last record of a batch it is the batch's next offset (as in Kafka's fetcher), so that
 * it ends at the high watermark instead of short of it, and a commit stores that offset.
 *
 * <p>One broker with no cleaner threads: the test cleans the log itself, on its own thread, once
 * every write it needs is below the active segment.
 */
class CompactedTopicConsumerTest {
  private static final String TOPIC = "compacted";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final int KEYS = 10;

  @TempDir static Path dir;
  static TestCluster cluster;

  /** Every write, in offset order (one producer at a time, each send flushed before the next). */
  static final List<String> writesBeforeRoll = new ArrayList<>();

  static final List<String> activeSegmentWrites = new ArrayList<>();
  static Log log;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        TestCluster.start(
            dir,
            1,
            Map.of(
                "log.cleaner.threads", "0",
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "1"));
    cluster.createTopic(
        TOPIC,
        1,
        1,
        Map.of(
            "cleanup.policy", "compact",
            "segment.bytes", "2048",
            "min.cleanable.dirty.ratio", "0.01"));
    log = cluster.leader(TP).logManager().getLog(TP).orElseThrow();
    try (BrookProducer<String, String> plain = producer(false);
        BrookProducer<String, String> idempotent = producer(true)) {
      for (int round = 0; round < 6; round++) {
        for (int k = 0; k < KEYS; k++) {
          send(plain, k, "plain-" + round, writesBeforeRoll);
        }
        plain.flush(); // one batch per round
      }
      // Producer batches: the first loses its last record (k4) to a later write, so it ends past
      // its last remaining record; the second (the producer's last) loses all of its records and
      // stays as a batch without records.
      for (int k = 0; k < 5; k++) {
        send(idempotent, k, "idempotent-a", writesBeforeRoll);
      }
      idempotent.flush();
      for (int k = 5; k < 7; k++) {
        send(idempotent, k, "idempotent-b", writesBeforeRoll);
      }
      idempotent.flush();
      for (int k = 4; k < 7; k++) {
        send(plain, k, "plain-6", writesBeforeRoll);
      }
      plain.flush();
      Wait.until(
          "the high watermark of " + TP + " at its log end",
          Duration.ofSeconds(30),
          () -> log.highWatermark() == log.logEndOffset());
      log.roll();
      long rolledAt = log.logEndOffset();
      for (int k = 7; k < KEYS; k++) {
        send(plain, k, "active", activeSegmentWrites);
      }
      plain.flush();
      LogCleaner cleaner = cluster.leader(TP).logManager().cleaner();
      Wait.until(
          TP + " cleaned up to the active segment (offset " + rolledAt + ")",
          Duration.ofSeconds(60),
          () -> {
            cleaner.cleanFilthiestLog();
            return cleaner.firstDirtyOffset(log).orElse(-1L) >= rolledAt;
          });
      Wait.until(
          "the high watermark of " + TP + " at its log end",
          Duration.ofSeconds(30),
          () -> log.highWatermark() == log.logEndOffset());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static BrookProducer<String, String> producer(boolean idempotent) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("enable.idempotence", String.valueOf(idempotent));
    c.put("acks", idempotent ? "all" : "1");
    c.put("linger.ms", "60000"); // batches end at flush()
    c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    return new BrookProducer<>(c);
  }

  private static void send(
      BrookProducer<String, String> producer, int key, String value, List<String> writes) {
    producer.send(new ProducerRecord<>(TOPIC, 0, "k" + key, value));
    writes.add("k" + key + "=" + value);
  }

  private static BrookConsumer<String, String> consumer(String groupId, int maxPollRecords) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("group.id", groupId);
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("max.poll.records", String.valueOf(maxPollRecords));
    c.put("fetch.max.wait.ms", "50");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    return new BrookConsumer<>(c);
  }

  /** Every batch of the log below the high watermark, read on the broker. */
  private static List<RecordBatch> batches() {
    List<RecordBatch> out = new ArrayList<>();
    long hw = log.highWatermark();
    long offset = log.logStartOffset();
    while (offset < hw) {
      FetchDataInfo data = log.read(offset, Integer.MAX_VALUE, hw, true);
      if (!data.records().hasRemaining()) {
        break;
      }
      for (RecordBatch b : RecordBatches.of(data.records())) {
        out.add(b);
        offset = Math.max(offset, b.nextOffset());
      }
    }
    return out;
  }

  /**
   * For each record offset, where a consumer stands after returning it: the next offset of its
   * batch when it is the batch's last record, else the record's offset + 1.
   */
  private static Map<Long, Long> positionAfterRecord(List<RecordBatch> batches) {
    Map<Long, Long> out = new TreeMap<>();
    for (RecordBatch b : batches) {
      Record last = null;
      for (Record r : b) {
        out.put(r.offset(), r.offset() + 1);
        last = r;
      }
      if (last != null) {
        out.put(last.offset(), b.nextOffset());
      }
    }
    return out;
  }

  private static List<String> expectedValues() {
    // the latest value of each key written before the roll, in offset order, then the active
    // segment as written
    Map<String, Integer> lastWrite = new HashMap<>();
    for (int i = 0; i < writesBeforeRoll.size(); i++) {
      lastWrite.put(writesBeforeRoll.get(i).split("=")[0], i);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < writesBeforeRoll.size(); i++) {
      if (lastWrite.get(writesBeforeRoll.get(i).split("=")[0]) == i) {
        expected.add(writesBeforeRoll.get(i));
      }
    }
    expected.addAll(activeSegmentWrites);
    return expected;
  }

  @Test
  void theCleanedLogHasGapsAndBatchesEndingPastTheirRecords() {
    List<RecordBatch> batches = batches();
    boolean endsPastLastRecord = false;
    boolean empty = false;
    boolean gap = false;
    long expectedBase = log.logStartOffset();
    for (RecordBatch b : batches) {
      gap |= b.baseOffset() != expectedBase;
      expectedBase = b.nextOffset();
      long lastRecord = -1;
      for (Record r : b) {
        lastRecord = r.offset();
      }
      empty |= b.recordCount() == 0;
      endsPastLastRecord |= b.recordCount() > 0 && lastRecord < b.lastOffset();
    }
    assertTrue(gap, "the cleaned log has an offset gap between batches");
    assertTrue(endsPastLastRecord, "a producer batch ends past its last remaining record");
    assertTrue(empty, "the idempotent producer's last batch is kept with no records");
  }

  @Test
  void consumerReadsLatestValuesAndPositionFollowsBatches() {
    Map<Long, Long> positionAfter = positionAfterRecord(batches());
    long hw = log.highWatermark();
    List<String> got = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = consumer("one-at-a-time", 1)) {
      consumer.assign(List.of(TP));
      consumer.seekToBeginning(List.of(TP));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (consumer.position(TP) < hw && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          got.add(r.key() + "=" + r.value());
          long position = consumer.position(TP);
          Long want = positionAfter.get(r.offset());
          if ((want == null || position != want) && problems.size() < 10) {
            problems.add(
                "after offset " + r.offset() + ": position " + position + ", want " + want);
          }
        }
      }
      assertEquals(expectedValues(), got, "records returned (key=value, in offset order)");
      assertTrue(problems.isEmpty(), "positions after each record: " + problems);
      assertEquals(hw, consumer.position(TP), "position at the end of the partition");
      // the position stays put: the consumer does not fetch the same batches again
      assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing more after the end");
      assertEquals(hw, consumer.position(TP), "position after polling at the end");
      consumer.commitSync();
      OffsetAndMetadata committed = consumer.committed(Set.of(TP)).get(TP);
      assertEquals(hw, committed == null ? -1 : committed.offset(), "committed offset");
    }
  }

  @Test
  void consumerWithDefaultPollSizeEndsAtTheHighWatermark() {
    long hw = log.highWatermark();
    List<String> got = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = consumer("all-at-once", 500)) {
      consumer.assign(List.of(TP));
      consumer.seekToBeginning(List.of(TP));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (consumer.position(TP) < hw && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> got.add(r.key() + "=" + r.value()));
      }
      assertEquals(expectedValues(), got, "records returned (key=value, in offset order)");
      assertEquals(hw, consumer.position(TP), "position at the end of the partition");
    }
  }
}
