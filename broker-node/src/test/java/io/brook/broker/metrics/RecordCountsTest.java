package io.brook.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.broker.testing.Batches;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Record counts read from batch headers: whole batches only. */
class RecordCountsTest {

  @Test
  void countsTheRecordsOfWholeBatchesOnly() {
    ByteBuffer a = Batches.buffer(Batches.of(3, 1000));
    ByteBuffer b = Batches.buffer(Batches.of(2, 2000));
    ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining());
    both.put(a.duplicate()).put(b.duplicate()).flip();

    assertEquals(5, RecordCounts.of(both.duplicate()));
    assertEquals(3, RecordCounts.of(both.duplicate().limit(both.limit() - 1)), "partial last");
    assertEquals(0, RecordCounts.of(ByteBuffer.allocate(10)), "shorter than a header");
    assertEquals(0, RecordCounts.of(ByteBuffer.allocate(0)));
  }
}
