package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The log with real producer batches from {@link RecordBatchBuilder}, for every codec. */
class LogWithProducerBatchesTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);

  static ByteBuffer producerBatch(CompressionType codec, TimestampType type, int n, long ts) {
    RecordBatchBuilder b = new RecordBatchBuilder(codec, type, 0, 256);
    for (int i = 0; i < n; i++) {
      byte[] key = i % 2 == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
      b.append(ts + i, key, ("value-" + i).getBytes(StandardCharsets.UTF_8), new Header[0]);
    }
    return b.build();
  }

  static String text(ByteBuffer b) {
    return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void producerBatchesRoundTripWithBrokerOffsets(CompressionType codec) throws Exception {
    LogConfig cfg = LogConfig.builder().segmentBytes(1024).build();
    try (Log log =
        Log.open(tmp.resolve("t-0"), UUID.randomUUID(), cfg, 0, 0, false, scheduler, time)) {
      long ts = time.milliseconds();
      for (int i = 0; i < 20; i++) {
        log.appendAsLeader(producerBatch(codec, TimestampType.CREATE_TIME, 5, ts + i * 10), 3);
      }
      assertEquals(100, log.logEndOffset());
      List<Record> records = new ArrayList<>();
      long offset = 0;
      while (offset < log.logEndOffset()) {
        ByteBuffer r = log.read(offset, 4096, Long.MAX_VALUE, true).records();
        for (RecordBatch b : RecordBatches.of(r)) {
          b.ensureValid();
          assertEquals(3, b.partitionLeaderEpoch());
          records.addAll(b.records());
          offset = b.nextOffset();
        }
      }
      assertEquals(100, records.size());
      for (int i = 0; i < 100; i++) {
        Record rec = records.get(i);
        assertEquals(i, rec.offset());
        assertEquals(ts + (i / 5) * 10 + i % 5, rec.timestamp());
        assertEquals("value-" + (i % 5), text(rec.value()));
        if (i % 5 % 2 == 0) {
          assertNull(rec.key());
        } else {
          assertEquals("k" + (i % 5), text(rec.key()));
        }
      }
      assertEquals(
          50, log.fetchOffsetByTimestamp(ts + 100).orElseThrow().offset(), "batch 10 starts at 50");
      // the exact record, not its batch: records 50..54 carry ts+100..ts+104
      assertEquals(
          new TimestampAndOffset(ts + 102, 52, 3),
          log.fetchOffsetByTimestamp(ts + 102).orElseThrow());
      assertEquals(
          new TimestampAndOffset(ts + 194, 99, 3), log.fetchOffsetForMaxTimestamp().orElseThrow());
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void logAppendTimeRewritesOnlyTheHeader(CompressionType codec) throws Exception {
    LogConfig cfg = LogConfig.builder().messageTimestampType(TimestampType.LOG_APPEND_TIME).build();
    try (Log log =
        Log.open(tmp.resolve("t-1"), UUID.randomUUID(), cfg, 0, 0, false, scheduler, time)) {
      log.appendAsLeader(producerBatch(codec, TimestampType.CREATE_TIME, 3, 5), 0);
      RecordBatch b = RecordBatch.wrap(log.read(0, 4096, Long.MAX_VALUE, false).records());
      b.ensureValid();
      for (Record r : b.records()) {
        assertEquals(time.milliseconds(), r.timestamp());
      }
    }
  }
}
