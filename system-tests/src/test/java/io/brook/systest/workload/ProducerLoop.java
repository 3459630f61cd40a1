package io.brook.systest.workload;

import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.systest.check.AckMode;
import io.brook.systest.check.History;
import io.brook.systest.check.ValueCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One topic's producer: a thread that sends unique {@link ValueCodec} values at a steady rate,
 * round-robin over the partitions (explicit partition on every record), and records every attempt
 * and every outcome in the topic's {@link History}.
 *
 * <p>Invariants: every attempt is in the history before {@code send()} is called; every completed
 * send has exactly one outcome event; at most {@code maxUnackedRecordsPerTopic} sends are
 * incomplete at any time. Whether a failure is definite follows {@link SendFailures}.
 *
 * <p>Thread rules: {@link #start}, {@link #pause}, {@link #resume}, {@link #stop} from the
 * controlling (test) thread; the counters from any thread. Callbacks run on the producer's I/O
 * thread, or synchronously on the sending thread.
 */
final class ProducerLoop {
  private static final Logger LOG = LogManager.getLogger(ProducerLoop.class);

  private final String topic;
  private final AckMode acks;
  private final WorkloadOptions options;
  private final History history;
  private final BrookProducer<String, String> producer;
  private final String writer = "w1";
  private final Thread thread;
  private final Semaphore unacked;
  private final Object pauseLock = new Object();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean running = true;
  // @GuardedBy("pauseLock")
  private boolean paused;
  private volatile String lastError = "none";

  /** True while the producing thread is inside send(): a callback now is synchronous. */
  private volatile boolean inSend;

  ProducerLoop(
      String topic,
      AckMode acks,
      String bootstrapServers,
      WorkloadOptions options,
      History history) {
    this.topic = topic;
    this.acks = acks;
    this.options = options;
    this.history = history;
    this.unacked = new Semaphore(options.maxUnackedRecordsPerTopic());
    this.producer = new BrookProducer<>(config(topic, acks, bootstrapServers, options));
    this.thread = new Thread(this::run, "workload-producer-" + topic);
    this.thread.setDaemon(true);
  }

  static Map<String, Object> config(
      String topic, AckMode acks, String bootstrapServers, WorkloadOptions options) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "workload-producer-" + topic);
    c.put(ProducerConfig.ACKS_CONFIG, acks.acksConfig());
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(acks == AckMode.ALL));
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) options.requestTimeout().toMillis());
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) options.deliveryTimeout().toMillis());
    c.put(ProducerConfig.LINGER_MS_CONFIG, options.lingerMs());
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, options.requestTimeout().toMillis());
    c.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    c.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    return c;
  }

  void start() {
    thread.start();
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long failed() {
    return failed.get();
  }

  String lastError() {
    return lastError;
  }

  void pause() {
    synchronized (pauseLock) {
      paused = true;
    }
  }

  void resume() {
    synchronized (pauseLock) {
      paused = false;
      pauseLock.notifyAll();
    }
  }

  /**
   * Stops sending, waits for every incomplete send to complete (flush: bounded by the delivery
   * timeout) and closes the producer.
   *
   * @return whether every send completed (false: some stay without outcome, i.e. indeterminate)
   */
  boolean stop(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    running = false;
    resume();
    thread.join(Math.max(1, timeout.toMillis()));
    if (thread.isAlive()) {
      LOG.warn("producer thread of {} did not stop within {}", topic, timeout);
    }
    producer.flush();
    long leftNanos = Math.max(0, deadline - System.nanoTime());
    boolean allDone =
        unacked.tryAcquire(options.maxUnackedRecordsPerTopic(), leftNanos, TimeUnit.NANOSECONDS);
    if (allDone) {
      unacked.release(options.maxUnackedRecordsPerTopic());
    }
    producer.close(Duration.ofSeconds(5));
    return allDone;
  }

  /** Closes without waiting for outstanding sends (for cleanup after failures). */
  void abort() {
    running = false;
    resume();
    thread.interrupt();
    producer.close(Duration.ZERO);
  }

  private void run() {
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / options.recordsPerSecondPerTopic();
    long next = System.nanoTime();
    long seq = 0;
    try {
      while (running) {
        synchronized (pauseLock) {
          while (paused && running) {
            pauseLock.wait();
          }
        }
        if (!running) {
          break;
        }
        long now = System.nanoTime();
        if (now < next) {
          LockSupport.parkNanos(next - now);
          continue;
        }
        // After a stall (pause, blocked send) carry on at the rate, without a burst.
        next = Math.max(next + intervalNanos, now - TimeUnit.MILLISECONDS.toNanos(100));
        if (!unacked.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        sendOne(seq++);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("producer thread of {} failed", topic, e);
      lastError = e.toString();
    }
  }

  private void sendOne(long seq) {
    int partition = (int) (seq % options.partitions());
    String value = ValueCodec.encode(topic, partition, writer, seq);
    history.add(new History.SendAttempt(System.nanoTime(), partition, value));
    AtomicBoolean done = new AtomicBoolean();
    inSend = true;
    try {
      producer.send(
          new ProducerRecord<>(topic, partition, null, value),
          (metadata, error) -> complete(partition, value, metadata, error, done));
    } catch (RuntimeException e) {
      complete(partition, value, null, e, done);
    } finally {
      inSend = false;
    }
  }

  private void complete(
      int partition, String value, RecordMetadata metadata, Exception error, AtomicBoolean done) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    long now = System.nanoTime();
    if (error == null) {
      history.add(new History.SendOk(now, metadata.partition(), metadata.offset(), value));
      acknowledged.incrementAndGet();
    } else {
      boolean synchronous = inSend && Thread.currentThread() == thread;
      boolean definite = SendFailures.isDefinite(error, synchronous);
      history.add(
          new History.SendFailed(
              now,
              partition,
              value,
              error.getClass().getSimpleName(),
              error.getMessage(),
              definite));
      failed.incrementAndGet();
      lastError = error.toString();
    }
    unacked.release();
  }

  @Override
  public String toString() {
    return "producer of "
        + topic
        + " (acks="
        + acks.acksConfig()
        + "): "
        + acknowledged.get()
        + " acknowledged, "
        + failed.get()
        + " failed, last error "
        + lastError;
  }
}
