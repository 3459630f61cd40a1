package io.brook.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.serialization.StringDeserializer;
import io.brook.client.internals.FakeBroker;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer over a log as the cleaner leaves it (served as is by a fake broker): offset gaps
 * between batches, producer batches that end past their last record, and producer batches with no
 * records, one of them last in the log. After the last record of a batch the position is the
 * batch's next offset, and a consumer that reads to the end stands at the log end offset, as in
 * Kafka's fetcher ({@code nextFetchOffset = batch.nextOffset()}).
 */
class CompactedLogConsumerTest {
  private static final String TOPIC = "t";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final long PRODUCER = 7;
  private static final long LOG_END = 14;

  /** Where the position stands after each record is returned, by record offset. */
  private static final Map<Long, Long> POSITION_AFTER =
      Map.of(0L, 1L, 1L, 4L, 7L, 8L, 8L, 9L, 10L, 13L);

  private FakeBroker broker;

  @BeforeEach
  void start() throws Exception {
    broker = new FakeBroker();
    broker.createTopic(TOPIC, 1);
    List<ByteBuffer> log = new CopyOnWriteArrayList<>();
    log.add(batch(0, 3, PRODUCER, "k0", "k1")); // [0, 3]: records 0, 1; 2 and 3 cleaned away
    // offset 4: a batch removed whole
    log.add(batch(5, 1, PRODUCER)); // [5, 6]: no records
    log.add(batch(7, 1, RecordBatch.NO_PRODUCER_ID, "k2", "k3")); // [7, 8]
    // offset 9: a batch removed whole
    log.add(batch(10, 2, PRODUCER, "k4")); // [10, 12]: record 10
    log.add(batch(13, 0, PRODUCER)); // [13]: no records, the producer's last batch
    broker.logs.put(TOPIC + "-0", log);
    assertEquals(LOG_END, broker.logEnd(TOPIC, 0));
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  /**
   * A batch at {@code baseOffset} ending at {@code baseOffset + lastOffsetDelta} whose records (one
   * per key, at consecutive offsets from the base) are {@code keys}; none makes a batch without
   * records, as the cleaner writes one.
   */
  static ByteBuffer batch(long baseOffset, int lastOffsetDelta, long producerId, String... keys) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, baseOffset, 256);
    if (producerId >= 0) {
      b.setProducerId(producerId).setProducerEpoch((short) 0).setBaseSequence((int) baseOffset);
    }
    String[] appended = keys.length == 0 ? new String[] {"dropped"} : keys;
    for (String k : appended) {
      b.append(1000, bytes(k), bytes("v-" + k), null);
    }
    ByteBuffer built = b.build();
    ByteBuffer out;
    if (keys.length == 0) {
      out = ByteBuffer.allocate(RecordBatch.RECORD_BATCH_OVERHEAD);
      out.put(built.duplicate().limit(built.position() + RecordBatch.RECORD_BATCH_OVERHEAD));
      out.flip();
      out.putInt(RecordBatch.LENGTH_OFFSET, out.limit() - RecordBatch.LOG_OVERHEAD);
      out.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 0);
    } else {
      out = ByteBuffer.allocate(built.remaining());
      out.put(built.duplicate());
      out.flip();
    }
    out.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
    RecordBatch.wrap(out).setMaxTimestamp(TimestampType.CREATE_TIME, 1000); // recomputes the CRC
    RecordBatch.wrap(out).ensureValid();
    return out;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private BrookConsumer<String, String> consumer(int maxPollRecords) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("fetch.max.wait.ms", "20");
    p.put("max.poll.records", String.valueOf(maxPollRecords));
    return new BrookConsumer<>(new ConsumerConfig(p), null, null, broker.channels(), Time.SYSTEM);
  }

  /**
   * Polls from the start until the position reaches the log end (or a deadline passes); with {@code
   * problems}, checks the position after each poll against {@link #POSITION_AFTER} (polls of one
   * record: a larger poll may also pass the empty batches after its last record).
   */
  private static List<ConsumerRecord<String, String>> readToEnd(
      BrookConsumer<String, String> consumer, List<String> problems) {
    consumer.assign(List.of(TP));
    consumer.seek(TP, 0);
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (consumer.position(TP) < LOG_END && System.nanoTime() < deadline) {
      ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(50));
      long position = consumer.position(TP);
      ConsumerRecord<String, String> last = null;
      for (ConsumerRecord<String, String> r : records) {
        got.add(r);
        last = r;
      }
      if (problems != null && last != null && position != POSITION_AFTER.get(last.offset())) {
        problems.add(
            "after offset "
                + last.offset()
                + ": position "
                + position
                + ", want "
                + POSITION_AFTER.get(last.offset()));
      }
    }
    return got;
  }

  private static List<String> offsetsAndKeys(List<ConsumerRecord<String, String>> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(r.offset() + ":" + r.key()));
    return out;
  }

  @Test
  void oneRecordAtATimePositionFollowsTheBatches() {
    List<String> problems = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = consumer(1)) {
      List<ConsumerRecord<String, String>> got = readToEnd(consumer, problems);
      assertEquals(List.of("0:k0", "1:k1", "7:k2", "8:k3", "10:k4"), offsetsAndKeys(got));
      assertTrue(problems.isEmpty(), "positions after each record: " + problems);
      assertEquals(LOG_END, consumer.position(TP), "position at the end of the log");
      assertTrue(consumer.poll(Duration.ofMillis(100)).isEmpty(), "nothing after the end");
      assertEquals(LOG_END, consumer.position(TP), "position after polling at the end");
    }
  }

  @Test
  void wholeFetchesEndAtTheLogEnd() {
    try (BrookConsumer<String, String> consumer = consumer(500)) {
      List<ConsumerRecord<String, String>> got = readToEnd(consumer, null);
      assertEquals(List.of("0:k0", "1:k1", "7:k2", "8:k3", "10:k4"), offsetsAndKeys(got));
      assertEquals(LOG_END, consumer.position(TP), "position at the end of the log");
    }
  }

  @Test
  void seekIntoTheCleanedTailOfABatchMovesToTheNextBatch() {
    try (BrookConsumer<String, String> consumer = consumer(500)) {
      consumer.assign(List.of(TP));
      consumer.seek(TP, 2); // inside [0, 3], after its last record
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (consumer.position(TP) < LOG_END && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(50)).forEach(got::add);
      }
      assertEquals(List.of("7:k2", "8:k3", "10:k4"), offsetsAndKeys(got));
      assertEquals(LOG_END, consumer.position(TP), "position at the end of the log");
    }
  }
}
