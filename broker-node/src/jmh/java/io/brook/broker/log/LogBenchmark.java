package io.brook.broker.log;

import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Log} append and read on a real log in a temporary directory, one batch (append) or one
 * fetch (read) per operation, single-threaded.
 *
 * <p>Configuration: {@link LogConfig#DEFAULT} (Kafka's defaults: 1 GiB segments, flush.messages and
 * flush.ms unbounded, so no fsync per append: the bytes go to the page cache). The background flush
 * that a roll schedules on a broker is dropped (see {@link TempLog#scheduler}). Batches: 126
 * records of 1 KiB values, 130,281 bytes (the producer's batch.size=131072), codec NONE, no
 * producer id unless {@code producer=idempotent}. MB/s = ops/s x 130,281 bytes (append) or x the
 * bytes read, printed at setup (read).
 *
 * <p>Append logs start empty at every iteration (a fresh directory, deleted after it without an
 * fsync), so an iteration writes at most a few GiB to the page cache.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LogBenchmark {
  static final int RECORDS_PER_BATCH = 126;
  static final int VALUE_SIZE = 1024;

  /** A producer's batch (offsets from 0) of 126 records of 1 KiB seeded random values. */
  static ByteBuffer producerBatch(long producerId, short epoch, int baseSequence) {
    Random random = new Random(42);
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 131072);
    b.setProducerId(producerId).setProducerEpoch(epoch).setBaseSequence(baseSequence);
    long now = System.currentTimeMillis();
    for (int i = 0; i < RECORDS_PER_BATCH; i++) {
      byte[] value = new byte[VALUE_SIZE];
      random.nextBytes(value);
      b.append(now, null, value, null);
    }
    return b.build();
  }

  /** A log in a fresh temporary directory. */
  static final class TempLog {
    final Path root;

    /**
     * Drops the flush a roll schedules: it would fsync 1 GiB segments in the background and measure
     * the (shared) disk rather than the log.
     */
    final Scheduler scheduler =
        new Scheduler() {
          @Override
          public ScheduledFuture<?> schedule(
              String name, Runnable task, long delayMs, long periodMs) {
            return null;
          }

          @Override
          public void close() {}
        };

    final Log log;

    TempLog() throws IOException {
      root = Files.createTempDirectory("brook-jmh-");
      log =
          Log.open(
              root.resolve("bench-0"),
              UUID.randomUUID(),
              LogConfig.DEFAULT,
              0L,
              0L,
              false,
              scheduler,
              Time.SYSTEM);
    }

    void delete() throws Exception {
      log.closeWithoutFlush(); // about to be deleted: no fsync
      scheduler.close();
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Appends, as leader (with the produce path's validation) or as follower (replication). */
  @State(Scope.Thread)
  public static class AppendState {
    /** {@code none}: no producer id; {@code idempotent}: one producer, sequences continuing. */
    @Param({"none"})
    public String producer;

    TempLog temp;
    ByteBuffer batch;
    RecordBatch view;
    boolean idempotent;
    int nextSequence;

    @Setup(Level.Trial)
    public void buildBatch() {
      idempotent = producer.equals("idempotent");
      batch =
          idempotent
              ? producerBatch(1000L, (short) 0, 0)
              : producerBatch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, -1);
      view = RecordBatch.wrap(batch.duplicate());
      view.setPartitionLeaderEpoch(1);
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
      temp = new TempLog();
      nextSequence = 0;
    }

    @TearDown(Level.Iteration)
    public void deleteLog() throws Exception {
      temp.delete();
    }

    /**
     * An idempotent producer's next batch: the sequence is inside the CRC, so restamp both (outside
     * the measured time).
     */
    @Setup(Level.Invocation)
    public void nextBatch() {
      if (idempotent) {
        ByteBuffer b = batch.duplicate();
        b.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, nextSequence);
        b.putInt(RecordBatch.CRC_OFFSET, (int) view.computeChecksum());
        nextSequence += RECORDS_PER_BATCH;
      }
    }
  }

  /**
   * A produce request's batch appended by the leader: validation (header checks + CRC-32C),
   * producer-state check, offset and epoch stamping in place, one write to the active segment,
   * index entries.
   */
  @Benchmark
  public LogAppendInfo appendAsLeader(AppendState s) {
    return s.temp.log.appendAsLeader(s.batch.duplicate(), 1);
  }

  /**
   * A replicated batch appended by a follower: offsets already assigned (here: the log end), CRC
   * checked, one write, index entries.
   */
  @Benchmark
  public LogAppendInfo appendAsFollower(AppendState s) {
    Log log = s.temp.log;
    s.view.setBaseOffset(log.logEndOffset());
    return log.appendAsFollower(s.batch.duplicate());
  }

  /**
   * A log of {@code logMiB} MiB of batches, written once per trial; every read is served from the
   * page cache (the machine has memory to spare, and dropping the cache would disturb other work).
   */
  @State(Scope.Thread)
  public static class ReadState {
    @Param({"512"})
    public int logMiB;

    /** A fetch's max bytes (the consumer's fetch.max.bytes / max.partition.fetch.bytes: 1 MiB). */
    @Param({"1048576"})
    public int fetchBytes;

    TempLog temp;
    long tailOffset;
    long nextCatchUpOffset;

    @Setup(Level.Trial)
    public void fill() throws IOException {
      temp = new TempLog();
      ByteBuffer batch =
          producerBatch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, -1);
      long batches = (long) logMiB * 1024 * 1024 / batch.remaining();
      for (long i = 0; i < batches; i++) {
        temp.log.appendAsLeader(batch.duplicate(), 1);
      }
      Log log = temp.log;
      log.updateHighWatermark(log.logEndOffset());
      long batchesPerFetch = Math.max(1, fetchBytes / batch.remaining());
      tailOffset = log.logEndOffset() - batchesPerFetch * RECORDS_PER_BATCH;
      int tailBytes = log.read(tailOffset, fetchBytes, log.highWatermark(), true).records().limit();
      System.out.println(
          "log: "
              + log.size()
              + " bytes, "
              + log.logEndOffset()
              + " records; a fetch returns "
              + tailBytes
              + " bytes");
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws Exception {
      temp.delete();
    }
  }

  /** A fetch of the newest ~1 MiB below the high watermark: a consumer that keeps up. */
  @Benchmark
  public FetchDataInfo readTail(ReadState s) {
    Log log = s.temp.log;
    return log.read(s.tailOffset, s.fetchBytes, log.highWatermark(), true);
  }

  /**
   * Consecutive fetches of ~1 MiB from the log start to the end, then again from the start: a
   * consumer catching up on a backlog (offset index lookups across the whole segment).
   */
  @Benchmark
  public FetchDataInfo readCatchUp(ReadState s) {
    Log log = s.temp.log;
    FetchDataInfo f = log.read(s.nextCatchUpOffset, s.fetchBytes, log.highWatermark(), true);
    ByteBuffer records = f.records();
    if (records.remaining() == 0) {
      s.nextCatchUpOffset = log.logStartOffset();
    } else {
      // the offset after the last batch, from the headers (no records are decoded)
      long next = s.nextCatchUpOffset;
      for (int pos = records.position(); pos < records.limit(); ) {
        next =
            records.getLong(pos + RecordBatch.BASE_OFFSET_OFFSET)
                + records.getInt(pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET)
                + 1;
        pos += RecordBatch.sizeAt(records, pos);
      }
      s.nextCatchUpOffset = next >= log.highWatermark() ? log.logStartOffset() : next;
    }
    return f;
  }
}
