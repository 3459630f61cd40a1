package io.brook.broker.log;

import static io.brook.broker.log.TestBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.brook.common.MockTime;
import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers concurrent with one writer see whole, valid batches with contiguous offsets. */
class LogConcurrencyTest {
  @TempDir Path tmp;

  @Test
  void readersNeverSeePartialBatches() throws Exception {
    MockTime time = new MockTime();
    LogConfig cfg = LogConfig.builder().segmentBytes(20_000).indexIntervalBytes(500).build();
    try (Log log =
        Log.open(
            tmp.resolve("t-0"),
            UUID.randomUUID(),
            cfg,
            0,
            0,
            false,
            new MockScheduler(time),
            time)) {
      int total = 3000;
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  long next = 0;
                  while (next < total) {
                    ByteBuffer r = log.read(next, 3000, Long.MAX_VALUE, false).records();
                    for (int pos = 0; pos < r.limit(); ) {
                      int size = RecordBatch.sizeAt(r, pos);
                      RecordBatch b =
                          RecordBatch.wrap(r.duplicate().position(pos).limit(pos + size));
                      b.ensureValid();
                      if (b.baseOffset() != next) {
                        throw new AssertionError("expected offset " + next + " but read " + b);
                      }
                      next = b.nextOffset();
                      pos += size;
                    }
                  }
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      reader.start();
      for (int i = 0; i < total; i++) {
        // sizes vary so that batches straddle reads and segment ends
        log.appendAsLeader(batch(0, 1, i, 20 + (i * 37) % 300), 0);
      }
      reader.join(120_000);
      assertNull(failure.get());
      assertEquals(total, log.logEndOffset());
    }
  }
}
