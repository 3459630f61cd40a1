package io.brook.systest.workload;

import io.brook.client.common.errors.OffsetOutOfRangeException;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.consumer.WakeupException;
import io.brook.common.TopicPartition;
import io.brook.systest.check.History;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One topic's consumer: a thread that polls all the topic's partitions ({@code assign} mode, from
 * offset 0) throughout the run and records every record it gets, every seek and every error in the
 * topic's {@link History}.
 *
 * <p>{@code auto.offset.reset=none}: the consumer never moves silently. An OFFSET_OUT_OF_RANGE
 * (which a correct cluster never causes for a consumer that only reads below the high watermark) is
 * recorded and answered by seeking every partition back to 0, with a {@link History.Seek} each, so
 * the checker's expectations follow. After {@value #RESTART_AFTER_ERRORS} consecutive failed polls
 * the consumer is replaced by a new one (a new consumer name) that resumes after the last record
 * read.
 *
 * <p>Thread rules: {@link #start} and {@link #stop} from the controlling thread; {@link
 * #nextOffsets()} and the counters from any thread; the consumer itself only on the loop thread
 * (except {@code wakeup()}).
 */
final class ConsumerLoop {
  private static final Logger LOG = LogManager.getLogger(ConsumerLoop.class);
  static final int RESTART_AFTER_ERRORS = 20;
  private static final Duration POLL = Duration.ofMillis(200);

  private final String topic;
  private final int partitions;
  private final String bootstrapServers;
  private final WorkloadOptions options;
  private final History history;
  private final Thread thread;
  private final AtomicLong recordsRead = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  /** Per partition, the offset after the last record read (0 before any). */
  private final Map<Integer, Long> next = new ConcurrentHashMap<>();

  private volatile boolean running = true;
  private volatile BrookConsumer<String, String> consumer;
  private volatile String lastError = "none";
  private volatile int generation;

  ConsumerLoop(
      String topic,
      int partitions,
      String bootstrapServers,
      WorkloadOptions options,
      History history) {
    this.topic = topic;
    this.partitions = partitions;
    this.bootstrapServers = bootstrapServers;
    this.options = options;
    this.history = history;
    for (int p = 0; p < partitions; p++) {
      next.put(p, 0L);
    }
    this.thread = new Thread(this::run, "workload-consumer-" + topic);
    this.thread.setDaemon(true);
  }

  static Map<String, Object> config(
      String clientId, String bootstrapServers, WorkloadOptions options) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) options.requestTimeout().toMillis());
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
    c.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    c.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    return c;
  }

  void start() {
    thread.start();
  }

  long recordsRead() {
    return recordsRead.get();
  }

  /** Per partition, the offset after the last record read. */
  Map<Integer, Long> nextOffsets() {
    return Map.copyOf(next);
  }

  /** Stops polling and closes the consumer. */
  void stop(Duration timeout) throws InterruptedException {
    running = false;
    BrookConsumer<String, String> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join(Math.max(1, timeout.toMillis()));
    if (thread.isAlive()) {
      LOG.warn("consumer thread of {} did not stop within {}; interrupting", topic, timeout);
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  private String name() {
    return topic + "-c" + generation;
  }

  private void run() {
    try {
      long poll = 0;
      int consecutiveErrors = 0;
      open("start");
      while (running) {
        ConsumerRecords<String, String> records;
        try {
          records = consumer.poll(POLL);
          consecutiveErrors = 0;
        } catch (WakeupException e) {
          continue; // running is false, or a stale wakeup
        } catch (OffsetOutOfRangeException e) {
          recordError(e);
          for (int p = 0; p < partitions; p++) {
            seek(p, 0, "offset out of range: " + e.getMessage());
          }
          continue;
        } catch (RuntimeException e) {
          recordError(e);
          if (++consecutiveErrors >= RESTART_AFTER_ERRORS) {
            consecutiveErrors = 0;
            closeQuietly();
            open("restart after " + RESTART_AFTER_ERRORS + " failed polls");
          } else {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
          }
          continue;
        }
        poll++;
        for (ConsumerRecord<String, String> r : records) {
          history.add(
              new History.Read(
                  System.nanoTime(), name(), poll, r.partition(), r.offset(), r.value()));
          next.put(r.partition(), r.offset() + 1);
          recordsRead.incrementAndGet();
        }
      }
    } catch (RuntimeException e) {
      LOG.error("consumer thread of {} failed", topic, e);
      lastError = e.toString();
    } finally {
      closeQuietly();
    }
  }

  /**
   * A new consumer (generation + 1) on all partitions, each from the offset after its last read.
   */
  private void open(String reason) {
    generation++;
    consumer = new BrookConsumer<>(config("workload-" + name(), bootstrapServers, options));
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    consumer.assign(tps);
    for (int p = 0; p < partitions; p++) {
      seek(p, next.get(p), reason);
    }
  }

  private void seek(int partition, long offset, String reason) {
    history.add(new History.Seek(System.nanoTime(), name(), partition, offset, reason));
    consumer.seek(new TopicPartition(topic, partition), offset);
    next.put(partition, offset);
  }

  private void recordError(RuntimeException e) {
    errors.incrementAndGet();
    lastError = e.toString();
    history.add(
        new History.ConsumerError(
            System.nanoTime(), name(), e.getClass().getSimpleName(), e.getMessage()));
  }

  private void closeQuietly() {
    BrookConsumer<String, String> c = consumer;
    if (c == null) {
      return;
    }
    try {
      c.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("closing consumer of {}", topic, e);
    }
  }

  @Override
  public String toString() {
    return "consumer "
        + name()
        + ": "
        + recordsRead.get()
        + " records read, next offsets "
        + new java.util.TreeMap<>(next)
        + ", "
        + errors.get()
        + " errors, last "
        + lastError;
  }
}
