package io.brook.systest.ops;

import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An {@code acks=all} producer writing unique 1 KiB values round-robin over a topic's partitions in
 * rounds of {@link #ROUND} records, remembering where each acknowledged value landed; then a
 * read-back of the whole topic that reports every acknowledged value not found at exactly its
 * acknowledged offset. Sends that fail (after the producer's own retries) are counted, not
 * acknowledged, and not checked.
 */
final class AckedLoad implements AutoCloseable {
  static final int ROUND = 100;
  private static final int VALUE_BYTES = 1024;

  private final String bootstrap;
  private final String topic;
  private final int partitions;
  private final String prefix;
  private final Map<TopicPartition, Map<Long, String>> acked = new ConcurrentHashMap<>();
  private final AtomicLong ackedCount = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> crash = new AtomicReference<>();
  private volatile boolean running;
  private Thread thread;

  AckedLoad(String bootstrap, String topic, int partitions, String prefix) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.partitions = partitions;
    this.prefix = prefix;
  }

  /** Writes {@code count} values synchronously (a backlog for a reassignment to copy). */
  void writeNow(int count) throws Exception {
    try (BrookProducer<String, String> producer = producer()) {
      long next = 0;
      while (next < count) {
        next = round(producer, next, (int) Math.min(ROUND, count - next));
      }
    }
  }

  /** Keeps writing on a background thread until {@link #close()}. */
  AckedLoad startBackground() {
    running = true;
    thread =
        new Thread(
            () -> {
              try (BrookProducer<String, String> producer = producer()) {
                long next = 1_000_000_000L;
                while (running) {
                  next = round(producer, next, ROUND);
                }
              } catch (Throwable t) {
                crash.set(t);
              }
            },
            "acked-load-" + topic);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  long acknowledged() {
    return ackedCount.get();
  }

  long failedSends() {
    return failed.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(TimeUnit.SECONDS.toMillis(120));
      if (thread.isAlive()) {
        throw new AssertionError("the load thread of " + topic + " did not stop");
      }
      thread = null;
    }
    if (crash.get() != null) {
      throw new AssertionError("the load of " + topic + " crashed", crash.get());
    }
  }

  /**
   * Reads the whole topic and returns every acknowledged value that is not at its acknowledged
   * offset ("p@offset: expected v, found w"); empty when nothing acknowledged was lost.
   */
  List<String> lostAcknowledged() {
    Map<TopicPartition, Map<Long, String>> stored = readAll();
    List<String> lost = new ArrayList<>();
    acked.forEach(
        (tp, byOffset) ->
            byOffset.forEach(
                (offset, value) -> {
                  String found = stored.getOrDefault(tp, Map.of()).get(offset);
                  if (!value.equals(found)) {
                    lost.add(
                        tp
                            + "@"
                            + offset
                            + ": expected "
                            + value.substring(0, value.indexOf('|'))
                            + ", found "
                            + (found == null ? "nothing" : found.substring(0, found.indexOf('|'))));
                  }
                }));
    return lost;
  }

  /** Record count per partition after reading the whole topic. */
  Map<TopicPartition, Integer> storedCounts() {
    Map<TopicPartition, Integer> out = new TreeMap<>(AckedLoad::compare);
    readAll().forEach((tp, m) -> out.put(tp, m.size()));
    return out;
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int c = a.topic().compareTo(b.topic());
    return c != 0 ? c : Integer.compare(a.partition(), b.partition());
  }

  private long round(BrookProducer<String, String> producer, long first, int n) throws Exception {
    List<Future<RecordMetadata>> futures = new ArrayList<>(n);
    List<String> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long seq = first + i;
      String v = value(seq);
      values.add(v);
      futures.add(producer.send(new ProducerRecord<>(topic, (int) (seq % partitions), null, v)));
    }
    for (int i = 0; i < n; i++) {
      try {
        RecordMetadata md = futures.get(i).get(120, TimeUnit.SECONDS);
        acked
            .computeIfAbsent(
                new TopicPartition(topic, md.partition()), k -> new ConcurrentHashMap<>())
            .put(md.offset(), values.get(i));
        ackedCount.incrementAndGet();
      } catch (java.util.concurrent.ExecutionException e) {
        failed.incrementAndGet();
      }
    }
    return first + n;
  }

  private String value(long seq) {
    StringBuilder sb = new StringBuilder(VALUE_BYTES);
    sb.append(prefix).append('-').append(seq).append('|');
    while (sb.length() < VALUE_BYTES) {
      sb.append('x');
    }
    return sb.toString();
  }

  private BrookProducer<String, String> producer() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    conf.put(ProducerConfig.ACKS_CONFIG, "all");
    conf.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    conf.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    conf.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    return new BrookProducer<>(conf);
  }

  private Map<TopicPartition, Map<Long, String>> readAll() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    conf.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    List<TopicPartition> tps =
        IntStream.range(0, partitions)
            .mapToObj(p -> new TopicPartition(topic, p))
            .collect(Collectors.toList());
    Map<TopicPartition, Map<Long, String>> out = new HashMap<>();
    try (BrookConsumer<String, String> c = new BrookConsumer<>(conf)) {
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "could not read " + topic + " to its end " + end + " within 120 s");
        }
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
          out.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>())
              .put(r.offset(), r.value());
        }
      }
    }
    return out;
  }
}
