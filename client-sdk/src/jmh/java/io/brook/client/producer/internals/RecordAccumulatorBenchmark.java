package io.brook.client.producer.internals;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.producer.Callback;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The producer's {@link RecordAccumulator}, single-threaded: one operation is one {@code send()}'s
 * worth of work on a 1 KiB record (append to the partition's open batch), plus, whenever that
 * filled a batch, the sender's share: {@code ready}, {@code drain} (which builds the batch's bytes)
 * and completing the drained batches as a successful produce response would (callbacks run, memory
 * freed). So the score is records/s and the gc profiler's B/op is bytes allocated per record,
 * batch-level allocations included, amortized.
 *
 * <p>Configuration: batch.size=131072 (126 records of 1 KiB values per batch), buffer.memory=32
 * MiB, linger.ms=5, codec {@code codec}, {@code partitions} partitions of one topic on one broker,
 * records sent round-robin by partition (1: one partition, as the sticky partitioner does between
 * batches), null keys, no headers, a no-op callback per record as the perf tool passes. MB/s =
 * records/s x 1 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RecordAccumulatorBenchmark {
  private static final Callback NO_OP = (metadata, exception) -> {};

  @Param({"1024"})
  public int valueSize;

  @Param({"131072"})
  public int batchSize;

  @Param({"1"})
  public int partitions;

  /** A {@link CompressionType} name; try {@code -p codec=none,lz4,zstd}. */
  @Param({"none"})
  public String codec;

  private RecordAccumulator accumulator;
  private Cluster cluster;
  private Node node;
  private TopicPartition[] tps;
  private byte[] value;
  private int next;
  private final Time time = Time.SYSTEM;

  @Setup(Level.Trial)
  public void setUp() {
    node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    tps = new TopicPartition[partitions];
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo("bench", p, node, new Node[] {node}, new Node[] {node}));
      tps[p] = new TopicPartition("bench", p);
    }
    cluster = new Cluster("bench-cluster", List.of(node), infos, Set.of(), node);
    accumulator =
        new RecordAccumulator(
            batchSize,
            CompressionType.forName(codec),
            5L,
            100L,
            120_000,
            new BufferPool(32L * 1024 * 1024, time));
    value = new byte[valueSize];
    new Random(42).nextBytes(value);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    accumulator.close();
    accumulator.abortIncompleteBatches(new IllegalStateException("benchmark over"));
  }

  @Benchmark
  public Object send(Blackhole bh) {
    TopicPartition tp = tps[next];
    next = next + 1 == tps.length ? 0 : next + 1;
    long now = time.milliseconds();
    RecordAccumulator.RecordAppendResult r =
        accumulator.append(tp, now, null, value, null, NO_OP, 60_000L, false, now);
    if (r.batchIsFull()) {
      RecordAccumulator.ReadyCheckResult ready = accumulator.ready(cluster, now);
      for (Node n : ready.readyNodes()) {
        for (ProducerBatch b : accumulator.drain(cluster, n, 1024 * 1024, now)) {
          ByteBuffer bytes = b.close();
          bh.consume(bytes);
          accumulator.completeBatch(b, 0L, -1L, null);
        }
      }
    }
    return r.future();
  }
}
