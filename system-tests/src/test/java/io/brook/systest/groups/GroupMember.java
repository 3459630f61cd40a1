package io.brook.systest.groups;

import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRebalanceListener;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One member of a consumer group, in the test JVM: a {@link BrookConsumer} subscribed to one topic,
 * polled by its own thread, committing synchronously after every poll that returned records and in
 * {@code onPartitionsRevoked} (so that, without crashes, every record is consumed once per group).
 * Everything it sees is recorded for the test thread to check.
 *
 * <p>Thread rules: the consumer is used only by the member's thread; the recorded state is
 * published through concurrent collections and volatile fields, so any thread may read it.
 */
final class GroupMember implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(GroupMember.class);

  /**
   * A test-only setting (removed before the consumer sees the config): after this many records the
   * member stops polling; the consumer's heartbeats go on until {@link #close()}.
   */
  static final String STOP_AFTER_RECORDS = "test.stop.after.records";

  /** What the member owned after a poll, and in which generation. */
  record Ownership(String member, int generation, Set<TopicPartition> partitions) {}

  /** One record consumed. */
  record Consumed(String member, TopicPartition partition, long offset, String value) {}

  private final String name;
  private final String topic;
  private final Map<String, Object> config;
  private final Thread thread;
  private final int stopAfterRecords;
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);
  private final List<Ownership> ownerships = new CopyOnWriteArrayList<>();
  private final List<Consumed> consumed = new CopyOnWriteArrayList<>();
  private final List<Set<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
  private final List<Set<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
  private final List<Set<TopicPartition>> lost = new CopyOnWriteArrayList<>();
  private final Map<TopicPartition, Long> firstOffsetPolled = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Set<TopicPartition> assignment = Set.of();
  private volatile int generation = -1;
  private volatile String memberId = "";
  private volatile boolean running = true;
  private volatile boolean exited;

  GroupMember(String name, String bootstrap, String groupId, String topic, Map<String, ?> extra) {
    this.name = name;
    this.topic = topic;
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    c.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    c.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
    c.putAll(extra);
    Object limit = c.remove(STOP_AFTER_RECORDS);
    this.stopAfterRecords = limit == null ? Integer.MAX_VALUE : ((Number) limit).intValue();
    this.config = c;
    this.thread = new Thread(this::run, "group-member-" + name);
    this.thread.setDaemon(true);
  }

  GroupMember start() {
    thread.start();
    return this;
  }

  private void run() {
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(config)) {
      consumer.subscribe(List.of(topic), listener(consumer));
      while (running) {
        if (consumed.size() >= stopAfterRecords) {
          closing.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
          continue;
        }
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        Set<TopicPartition> rewound = new java.util.HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
          if (consumed.size() >= stopAfterRecords) {
            // the rest of this poll is not consumed: rewind to it, so that the commit says so
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (rewound.add(tp)) {
              consumer.seek(tp, r.offset());
            }
            continue;
          }
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          firstOffsetPolled.putIfAbsent(tp, r.offset());
          consumed.add(new Consumed(name, tp, r.offset(), r.value()));
        }
        if (!records.isEmpty()) {
          consumer.commitSync();
        }
        observe(consumer);
      }
      log.info("member {} leaving the group", name);
    } catch (Throwable t) {
      if (running) {
        log.error("member {} failed", name, t);
        failure.set(t);
      }
    } finally {
      exited = true;
    }
  }

  private void observe(BrookConsumer<String, String> consumer) {
    Set<TopicPartition> now = Collections.unmodifiableSet(new TreeSet<>(consumer.assignment()));
    int gen = consumer.groupMetadata().generationId();
    memberId = consumer.groupMetadata().memberId();
    if (gen != generation || !now.equals(assignment)) {
      generation = gen;
      assignment = now;
      if (gen >= 0) {
        ownerships.add(new Ownership(name, gen, now));
        log.info("member {} owns {} in generation {}", name, now, gen);
      }
    }
  }

  private ConsumerRebalanceListener listener(BrookConsumer<String, String> consumer) {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        revoked.add(Set.copyOf(partitions));
        if (!partitions.isEmpty()) {
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          for (TopicPartition tp : partitions) {
            offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
          }
          consumer.commitSync(offsets);
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        assigned.add(Set.copyOf(partitions));
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        lost.add(Set.copyOf(partitions));
      }
    };
  }

  String name() {
    return name;
  }

  Set<TopicPartition> assignment() {
    return assignment;
  }

  int generation() {
    return generation;
  }

  String memberId() {
    return memberId;
  }

  List<Ownership> ownerships() {
    return List.copyOf(ownerships);
  }

  List<Consumed> consumed() {
    return List.copyOf(consumed);
  }

  List<Set<TopicPartition>> revoked() {
    return List.copyOf(revoked);
  }

  List<Set<TopicPartition>> assignedCallbacks() {
    return List.copyOf(assigned);
  }

  List<Set<TopicPartition>> lost() {
    return List.copyOf(lost);
  }

  /** The first offset this member polled from each partition. */
  Map<TopicPartition, Long> firstOffsetPolled() {
    return Map.copyOf(firstOffsetPolled);
  }

  /** Why the member's thread died, if it did. */
  Throwable failure() {
    return failure.get();
  }

  boolean exited() {
    return exited;
  }

  /** Stops polling and closes the consumer (leaving the group unless static); waits for it. */
  @Override
  public void close() {
    running = false;
    closing.countDown();
    try {
      thread.join(Duration.ofSeconds(60).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      throw new AssertionError("member " + name + " did not close within 60 s");
    }
  }

  /** A compact description for failure messages. */
  @Override
  public String toString() {
    return name
        + "{gen="
        + generation
        + ", owns="
        + assignment
        + ", consumed="
        + consumed.size()
        + (failure.get() == null ? "" : ", FAILED: " + failure.get())
        + "}";
  }

  static List<Ownership> allOwnerships(Collection<GroupMember> members) {
    List<Ownership> all = new ArrayList<>();
    members.forEach(m -> all.addAll(m.ownerships()));
    return all;
  }
}
