package io.brook.client.tools;

import io.brook.client.common.serialization.ByteArraySerializer;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.Callback;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * brook-producer-perf-test.sh: Kafka's ProducerPerformance with the Brook producer. Same flags,
 * same progress lines every 5 s and the same final summary line, so one parser reads both.
 */
public final class ProducerPerformance {
  private ProducerPerformance() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    return ToolArgs.run("ProducerPerformance", ToolArgs.verbose(args), () -> execute(args));
  }

  private static int execute(String[] argv) throws Exception {
    ToolArgs a =
        new ToolArgs(
            argv,
            Set.of("--print-metrics", "--help", "--verbose"),
            Set.of(
                "--topic",
                "--num-records",
                "--record-size",
                "--throughput",
                "--producer.config",
                "--payload-file",
                "--payload-delimiter",
                "--bootstrap-server",
                "--transactional-id",
                "--transaction-duration-ms"),
            Set.of("--producer-props"));
    if (a.has("--help")) {
      System.out.println(
          "usage: brook-producer-perf-test.sh --topic TOPIC --num-records N (--record-size SIZE |"
              + " --payload-file FILE) --throughput T [--producer-props k=v ...]"
              + " [--producer.config FILE] [--print-metrics]");
      return 0;
    }
    String topic = a.required("--topic");
    long numRecords = a.getLong("--num-records", -1);
    if (numRecords < 0) {
      throw new ToolArgs.UsageException("Missing required argument \"[num-records]\"");
    }
    if (a.get("--throughput") == null) {
      throw new ToolArgs.UsageException("Missing required argument \"[throughput]\"");
    }
    long throughput = a.getLong("--throughput", -1);
    Integer recordSize = a.get("--record-size") == null ? null : a.getInt("--record-size", 0);
    String payloadFile = a.get("--payload-file");
    if ((recordSize == null) == (payloadFile == null)) {
      throw new ToolArgs.UsageException(
          "Either --record-size or --payload-file must be specified but not both.");
    }
    if (a.get("--transactional-id") != null) {
      throw new ToolArgs.UsageException("transactions are not supported yet");
    }
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--producer.config"), props);
    ToolArgs.putKeyValues(a.all("--producer-props"), props, "--producer-props");
    if (a.get("--bootstrap-server") != null) {
      props.put("bootstrap.servers", a.get("--bootstrap-server"));
    }
    if (!props.containsKey("bootstrap.servers")) {
      throw new ToolArgs.UsageException(
          "bootstrap.servers must be given with --producer-props, --producer.config or"
              + " --bootstrap-server");
    }
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());

    SplittableRandom random = new SplittableRandom(0);
    byte[] payload = null;
    List<byte[]> payloads = null;
    if (recordSize != null) {
      payload = new byte[recordSize];
      for (int i = 0; i < payload.length; ++i) {
        payload[i] = (byte) (random.nextInt(26) + 65);
      }
    } else {
      String delimiter = a.get("--payload-delimiter", "\\n").replace("\\n", "\n");
      String text = Files.readString(Path.of(payloadFile), StandardCharsets.UTF_8);
      payloads = new ArrayList<>();
      for (String s : text.split(java.util.regex.Pattern.quote(delimiter))) {
        if (!s.isEmpty()) {
          payloads.add(s.getBytes(StandardCharsets.UTF_8));
        }
      }
      System.out.println("Number of messages read: " + payloads.size());
      if (payloads.isEmpty()) {
        throw new ToolArgs.UsageException("No payloads found in " + payloadFile);
      }
    }

    BrookProducer<byte[], byte[]> producer = new BrookProducer<>(props);
    Stats stats = new Stats(numRecords, 5000);
    long startMs = System.currentTimeMillis();
    ThroughputThrottler throttler = new ThroughputThrottler(throughput, startMs);
    for (long i = 0; i < numRecords; i++) {
      byte[] value = payload != null ? payload : payloads.get(random.nextInt(payloads.size()));
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
      long sendStartMs = System.currentTimeMillis();
      Callback cb = stats.nextCompletion(sendStartMs, value.length);
      producer.send(record, cb);
      if (throttler.shouldThrottle(i, sendStartMs)) {
        throttler.throttle();
      }
    }
    if (!a.has("--print-metrics")) {
      producer.close();
      stats.printTotal();
    } else {
      producer.flush();
      stats.printTotal();
      System.out.println("Metrics are not available yet in Brook's producer.");
      producer.close();
    }
    if (stats.errors > 0) {
      System.err.println(
          stats.errors + " records could not be sent; first error: " + stats.firstError);
      return 1;
    }
    return 0;
  }

  /** Kafka's ProducerPerformance.Stats: totals, a 5 s window, and sampled latencies. */
  static final class Stats {
    private final long start;
    private long windowStart;
    private final int[] latencies;
    private final long sampling;
    private long iteration;
    private int index;
    private long count;
    private long bytes;
    private int maxLatency;
    private long totalLatency;
    private long windowCount;
    private int windowMaxLatency;
    private long windowTotalLatency;
    private long windowBytes;
    private final long reportingInterval;
    volatile long errors;
    volatile String firstError;

    Stats(long numRecords, int reportingInterval) {
      this(numRecords, reportingInterval, System.currentTimeMillis());
    }

    Stats(long numRecords, int reportingInterval, long startMs) {
      this.start = startMs;
      this.windowStart = startMs;
      this.sampling = Math.max(1, numRecords / Math.max(1, Math.min(numRecords, 500000)));
      this.latencies = new int[(int) (numRecords / this.sampling) + 1];
      this.reportingInterval = reportingInterval;
    }

    synchronized void record(int latency, int bytes, long time) {
      this.count++;
      this.bytes += bytes;
      this.totalLatency += latency;
      this.maxLatency = Math.max(this.maxLatency, latency);
      this.windowCount++;
      this.windowBytes += bytes;
      this.windowTotalLatency += latency;
      this.windowMaxLatency = Math.max(windowMaxLatency, latency);
      if (iteration % sampling == 0 && index < latencies.length) {
        this.latencies[index] = latency;
        this.index++;
      }
      this.iteration++;
      if (time - windowStart >= reportingInterval) {
        printWindow(time);
        newWindow(time);
      }
    }

    Callback nextCompletion(long startMs, int bytes) {
      return new PerfCallback(startMs, bytes, this);
    }

    synchronized void printWindow(long now) {
      long elapsed = now - windowStart;
      double recsPerSec = 1000.0 * windowCount / (double) elapsed;
      double mbPerSec = 1000.0 * this.windowBytes / (double) elapsed / (1024.0 * 1024.0);
      System.out.printf(
          "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max"
              + " latency.%n",
          windowCount,
          recsPerSec,
          mbPerSec,
          windowTotalLatency / (double) windowCount,
          (double) windowMaxLatency);
    }

    private void newWindow(long now) {
      this.windowStart = now;
      this.windowCount = 0;
      this.windowMaxLatency = 0;
      this.windowTotalLatency = 0;
      this.windowBytes = 0;
    }

    synchronized void printTotal() {
      System.out.println(totalLine(System.currentTimeMillis()));
    }

    synchronized String totalLine(long now) {
      long elapsed = Math.max(1, now - start);
      double recsPerSec = 1000.0 * count / (double) elapsed;
      double mbPerSec = 1000.0 * this.bytes / (double) elapsed / (1024.0 * 1024.0);
      int[] percs = percentiles(this.latencies, index, 0.5, 0.95, 0.99, 0.999);
      return String.format(
          "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max"
              + " latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.",
          count,
          recsPerSec,
          mbPerSec,
          count == 0 ? 0.0 : totalLatency / (double) count,
          (double) maxLatency,
          percs[0],
          percs[1],
          percs[2],
          percs[3]);
    }

    private static int[] percentiles(int[] latencies, int count, double... percentiles) {
      int size = Math.min(count, latencies.length);
      int[] sorted = Arrays.copyOf(latencies, size);
      Arrays.sort(sorted);
      int[] values = new int[percentiles.length];
      for (int i = 0; i < percentiles.length; i++) {
        int index = (int) (percentiles[i] * size);
        values[i] = size == 0 ? 0 : sorted[Math.min(index, size - 1)];
      }
      return values;
    }
  }

  private static final class PerfCallback implements Callback {
    private final long start;
    private final int bytes;
    private final Stats stats;

    PerfCallback(long start, int bytes, Stats stats) {
      this.start = start;
      this.bytes = bytes;
      this.stats = stats;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
      long now = System.currentTimeMillis();
      int latency = (int) (now - start);
      if (exception == null) {
        stats.record(latency, bytes, now);
      } else {
        if (stats.errors++ == 0) {
          stats.firstError = exception.toString();
          exception.printStackTrace();
        }
      }
    }
  }

  /** Kafka's ThroughputThrottler: sleeps so that the send rate stays at the target. */
  static final class ThroughputThrottler {
    private static final long NS_PER_MS = 1000000L;
    private static final long NS_PER_SEC = 1000 * NS_PER_MS;
    private static final long MIN_SLEEP_NS = 2 * NS_PER_MS;

    private final long startMs;
    private final long sleepTimeNs;
    private final long targetThroughput;
    private long sleepDeficitNs = 0;

    ThroughputThrottler(long targetThroughput, long startMs) {
      this.startMs = startMs;
      this.targetThroughput = targetThroughput;
      this.sleepTimeNs = targetThroughput > 0 ? NS_PER_SEC / targetThroughput : Long.MAX_VALUE;
    }

    boolean shouldThrottle(long amountSoFar, long sendStartMs) {
      if (this.targetThroughput < 0) {
        return false;
      }
      float elapsedSec = (sendStartMs - startMs) / 1000.f;
      return elapsedSec > 0 && (amountSoFar / elapsedSec) > this.targetThroughput;
    }

    void throttle() throws InterruptedException {
      if (targetThroughput == 0) {
        synchronized (this) {
          while (true) {
            this.wait();
          }
        }
      }
      sleepDeficitNs += sleepTimeNs;
      if (sleepDeficitNs >= MIN_SLEEP_NS) {
        long sleepStartNs = System.nanoTime();
        long remaining = sleepDeficitNs;
        synchronized (this) {
          while (remaining > 0) {
            long sleepMs = remaining / 1000000;
            long sleepNs = remaining - sleepMs * 1000000;
            this.wait(sleepMs, (int) sleepNs);
            long elapsed = System.nanoTime() - sleepStartNs;
            remaining = sleepDeficitNs - elapsed;
          }
        }
        sleepDeficitNs = 0;
      }
    }
  }
}
