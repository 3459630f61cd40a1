package io.brook.protocol.record;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The record batch codec, one batch per operation: what a producer does to build a batch ({@link
 * #build}), what a broker does to accept it ({@link #validate}: the per-batch checks of broker-node
 * {@code LogValidator.validate} for a leader append) and what a consumer does to read it ({@link
 * #iterate}).
 *
 * <p>{@code records} 1 is a lone record; 126 records of 1 KiB values fill a batch to just under the
 * producer's batch.size=131072 (130,343 bytes with codec NONE). Values are seeded random bytes (so
 * compressing codecs find nothing to save), keys null, no headers, as the perf tools send them.
 * Bytes per operation: the batch's size, printed at setup; MB/s = ops/s x that.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RecordBatchBenchmark {
  @Param({"1", "126"})
  public int records;

  @Param({"1024"})
  public int valueSize;

  /** A {@link CompressionType} name; try {@code -p codec=NONE,LZ4,ZSTD}. */
  @Param({"NONE"})
  public String codec;

  private CompressionType compression;
  private byte[][] values;
  private long timestamp;
  private ByteBuffer batch;

  @Setup(Level.Trial)
  public void setUp() {
    compression = CompressionType.valueOf(codec);
    Random random = new Random(42);
    values = new byte[records][valueSize];
    for (byte[] v : values) {
      random.nextBytes(v);
    }
    timestamp = 1_700_000_000_000L;
    batch = buildBatch();
    System.out.println(
        "batch: " + records + " records, " + batch.remaining() + " bytes, codec " + compression);
  }

  private ByteBuffer buildBatch() {
    RecordBatchBuilder b =
        new RecordBatchBuilder(compression, TimestampType.CREATE_TIME, 0L, 131072);
    for (int i = 0; i < records; i++) {
      b.append(timestamp + i, null, values[i], null);
    }
    return b.build();
  }

  /** Producer side: encode the records into a new builder and finish the batch (CRC included). */
  @Benchmark
  public ByteBuffer build() {
    return buildBatch();
  }

  /**
   * Broker side (leader append): header, magic, codec, counts and CRC-32C over the whole batch; no
   * record is decoded.
   */
  @Benchmark
  public int validate() {
    RecordBatch b = RecordBatch.wrap(batch.duplicate());
    b.ensureValid();
    if (b.recordCount() == 0 || b.recordCount() != b.lastOffsetDelta() + 1) {
      throw new IllegalStateException("bad record count");
    }
    return b.recordCount();
  }

  /** Consumer side: decode every record and touch its offset and value. */
  @Benchmark
  public void iterate(Blackhole bh) {
    for (Record r : RecordBatch.wrap(batch.duplicate())) {
      bh.consume(r.offset());
      bh.consume(r.value());
    }
  }
}
