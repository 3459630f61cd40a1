package io.brook.systest.workload;

import io.brook.client.admin.Admin;
import io.brook.client.admin.NewTopic;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.common.errors.TopicExistsException;
import io.brook.client.consumer.BrookConsumer;
import io.brook.common.TopicPartition;
import io.brook.systest.check.AckMode;
import io.brook.systest.check.CheckReport;
import io.brook.systest.check.Checker;
import io.brook.systest.check.FinalRead;
import io.brook.systest.check.FinalRead.OffsetValue;
import io.brook.systest.check.History;
import io.brook.systest.check.ReplicaLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The clients of a fault scenario: three topics at once (RF 3, three partitions each by default),
 * each with one producer thread and one consumer thread working throughout, every action recorded
 * in the topic's {@link History}; at the end a final read and the replicas' own files are handed to
 * the {@link Checker}.
 *
 * <ul>
 *   <li>{@code acks-all}: acks=all, enable.idempotence=true, min.insync.replicas=2
 *   <li>{@code acks-one}: acks=1, no idempotence (default retries), min.insync.replicas=1
 *   <li>{@code acks-zero}: acks=0, min.insync.replicas=1
 * </ul>
 *
 * <p>Lifecycle: {@link #start} (topics created, clients running) -&gt; any number of {@link
 * #pauseProducers}/{@link #resumeProducers}/{@link #awaitProgress} -&gt; {@link #stop} (producers
 * flushed and closed, consumers caught up to the high watermark and closed) -&gt; {@link
 * #finalRead} -&gt; {@link #replicaDump} -&gt; {@link #check}. {@link #close} (idempotent) stops
 * whatever still runs without waiting; {@link #saveHistories} may be called at any time (a failing
 * scenario calls it from its cleanup).
 *
 * <p>Thread rules: all methods from one controlling (test) thread. The clients' threads only append
 * to the histories.
 *
 * <p>Depends only on a bootstrap string, an {@link Admin} (owned by the caller, not closed here)
 * and, for the replica dump, each broker's log directory and a {@link LogDumper}.
 */
public final class Workload implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(Workload.class);

  private final String bootstrapServers;
  private final WorkloadOptions options;
  private final Map<AckMode, String> topics = new EnumMap<>(AckMode.class);
  private final Map<String, History> histories = new LinkedHashMap<>();
  private final Map<String, ProducerLoop> producers = new LinkedHashMap<>();
  private final Map<String, ConsumerLoop> consumers = new LinkedHashMap<>();
  private Map<String, Map<Integer, FinalRead>> lastFinalRead = Map.of();
  private boolean stopped;
  private boolean closed;

  private Workload(String bootstrapServers, WorkloadOptions options) {
    this.bootstrapServers = bootstrapServers;
    this.options = options;
    topics.put(AckMode.ALL, options.topicPrefix() + "acks-all");
    topics.put(AckMode.ONE, options.topicPrefix() + "acks-one");
    topics.put(AckMode.ZERO, options.topicPrefix() + "acks-zero");
    topics.values().forEach(t -> histories.put(t, new History(t)));
  }

  /**
   * Creates the three topics (an existing one is reused), waits until every partition has a leader,
   * then starts a producer and a consumer per topic.
   */
  public static Workload start(String bootstrapServers, Admin admin, WorkloadOptions options)
      throws InterruptedException {
    Workload w = new Workload(bootstrapServers, options);
    try {
      w.createTopics(admin);
      for (var e : w.topics.entrySet()) {
        String topic = e.getValue();
        History h = w.histories.get(topic);
        w.consumers.put(
            topic, new ConsumerLoop(topic, options.partitions(), bootstrapServers, options, h));
        w.producers.put(topic, new ProducerLoop(topic, e.getKey(), bootstrapServers, options, h));
      }
      w.consumers.values().forEach(ConsumerLoop::start);
      w.producers.values().forEach(ProducerLoop::start);
      LOG.info("workload started on {}: topics {}", bootstrapServers, w.topics.values());
      return w;
    } catch (RuntimeException | InterruptedException | Error e) {
      w.close();
      throw e;
    }
  }

  /** The topic names, by how they are produced to. */
  public Map<AckMode, String> topics() {
    return Map.copyOf(topics);
  }

  public History history(String topic) {
    return histories.get(topic);
  }

  /** Every partition of the workload's topics. */
  public List<TopicPartition> partitions() {
    List<TopicPartition> out = new ArrayList<>();
    for (String t : topics.values()) {
      for (int p = 0; p < options.partitions(); p++) {
        out.add(new TopicPartition(t, p));
      }
    }
    return out;
  }

  /** Producers stop sending new records (those under way complete as they will). */
  public void pauseProducers() {
    producers.values().forEach(ProducerLoop::pause);
  }

  public void resumeProducers() {
    producers.values().forEach(ProducerLoop::resume);
  }

  /** {@link #awaitProgress(int, Duration)} with the options' {@code progressRecords}. */
  public void awaitProgress(Duration timeout) {
    awaitProgress(options.progressRecords(), timeout);
  }

  /**
   * Waits until, counted from now, every producer got at least {@code records} new acknowledgements
   * and every consumer read at least {@code records} new records: the liveness check after a fault
   * is healed. Producers must not be paused.
   *
   * @throws AssertionError at the deadline, with every client's state
   */
  public void awaitProgress(int records, Duration timeout) {
    Map<String, Long> acked = new HashMap<>();
    Map<String, Long> read = new HashMap<>();
    producers.forEach((t, p) -> acked.put(t, p.acknowledged()));
    consumers.forEach((t, c) -> read.put(t, c.recordsRead()));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (var e : producers.entrySet()) {
        all &= e.getValue().acknowledged() >= acked.get(e.getKey()) + records;
      }
      for (var e : consumers.entrySet()) {
        all &= e.getValue().recordsRead() >= read.get(e.getKey()) + records;
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no progress of "
                + records
                + " records per client within "
                + timeout
                + " (counts before: acked "
                + acked
                + ", read "
                + read
                + "): "
                + clientStates());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /**
   * Stops the producers (no new sends; every send under way completes: flush, bounded by the
   * delivery timeout) and then lets the consumers read up to the high watermark before stopping
   * them.
   *
   * @throws AssertionError if the consumers do not catch up by the deadline (they are stopped
   *     anyway)
   */
  public void stop(Duration timeout) throws InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    producers.values().forEach(p -> p.pause());
    for (ProducerLoop p : producers.values()) {
      if (!p.stop(remaining(deadline))) {
        LOG.warn("{}: not every send completed; those stay indeterminate", p);
      }
    }
    String notCaughtUp = awaitConsumersCaughtUp(deadline);
    for (ConsumerLoop c : consumers.values()) {
      c.stop(Duration.ofSeconds(10));
    }
    LOG.info("workload stopped: {}", clientStates());
    if (notCaughtUp != null) {
      throw new AssertionError(notCaughtUp);
    }
  }

  /** Null when every consumer reached the end offsets, otherwise what is missing. */
  private String awaitConsumersCaughtUp(long deadline) {
    try (BrookConsumer<String, String> probe =
        new BrookConsumer<>(
            ConsumerLoop.config("workload-end-offsets", bootstrapServers, options))) {
      Map<TopicPartition, Long> end = null;
      String missing = "end offsets never answered";
      while (System.nanoTime() < deadline) {
        try {
          if (end == null) {
            end = probe.endOffsets(partitions(), Duration.ofSeconds(5));
          }
          missing = null;
          for (var e : end.entrySet()) {
            long at = consumers.get(e.getKey().topic()).nextOffsets().get(e.getKey().partition());
            if (at < e.getValue()) {
              missing =
                  "consumer of "
                      + e.getKey()
                      + " is at "
                      + at
                      + ", below the end offset "
                      + e.getValue();
              break;
            }
          }
          if (missing == null) {
            return null;
          }
        } catch (RuntimeException e) {
          missing = "end offsets failed: " + e;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      return "consumers did not catch up to the high watermark: " + missing + "; " + clientStates();
    }
  }

  /**
   * Reads every partition of every topic from offset 0 to its high watermark through the leader
   * (fresh consumers) and keeps the result for {@link #check} and {@link #saveHistories}.
   *
   * @return topic -&gt; partition -&gt; what was read
   * @throws AssertionError if a partition cannot be read to its high watermark in time
   */
  public Map<String, Map<Integer, FinalRead>> finalRead(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Map<Integer, FinalRead>> out = new LinkedHashMap<>();
    for (String topic : topics.values()) {
      out.put(
          topic,
          FinalReader.read(
              bootstrapServers, topic, options.partitions(), options, remaining(deadline)));
    }
    lastFinalRead = out;
    return out;
  }

  /**
   * The whole end of a scenario, once every fault is healed and every replica is back in the ISR:
   * {@link #stop}, {@link #finalRead}, {@link #replicaDump}, {@link #check}; the histories and
   * final reads are saved to {@code saveDir} whatever happens (also when a step throws). The caller
   * prints or asserts on the report ({@link CheckReport#assertSafe()}).
   *
   * @param logDirs each broker's log directory, by broker id
   * @param timeout for stop and for the final read, each
   */
  public CheckReport finishAndCheck(
      Map<Integer, Path> logDirs, LogDumper dumper, Path saveDir, Duration timeout)
      throws Exception {
    try {
      stop(timeout);
      Map<String, Map<Integer, FinalRead>> reads = finalRead(timeout);
      List<ReplicaLog> replicas = replicaDump(logDirs, dumper);
      CheckReport report = check(reads, replicas);
      LOG.info("check of {} replicas:\n{}", replicas.size(), report);
      return report;
    } finally {
      saveHistories(saveDir);
      LOG.info("histories and final reads saved in {}", saveDir);
    }
  }

  /**
   * Every broker's replicas of the workload's partitions, read from its own segment files with the
   * dump tool (one run per broker). See {@link ReplicaDumps}. Call it once every replica is back in
   * the ISR: a follower still catching up would count as divergent.
   *
   * @param logDirs each broker's log directory, by broker id
   */
  public List<ReplicaLog> replicaDump(Map<Integer, Path> logDirs, LogDumper dumper)
      throws Exception {
    return ReplicaDumps.dump(logDirs, partitions(), dumper);
  }

  /**
   * Judges the run.
   *
   * @param finalReads from {@link #finalRead}
   * @param replicas from {@link #replicaDump} (may be empty to skip the replica comparison)
   */
  public CheckReport check(
      Map<String, Map<Integer, FinalRead>> finalReads, Collection<ReplicaLog> replicas) {
    List<Checker.TopicInput> inputs = new ArrayList<>();
    for (var e : topics.entrySet()) {
      String topic = e.getValue();
      List<ReplicaLog> mine = replicas.stream().filter(r -> r.tp().topic().equals(topic)).toList();
      inputs.add(
          new Checker.TopicInput(
              topic,
              e.getKey(),
              histories.get(topic).events(),
              finalReads.getOrDefault(topic, Map.of()),
              mine));
    }
    return Checker.check(inputs);
  }

  /**
   * Writes {@code history-<topic>.txt} (one line per event) and, after {@link #finalRead}, {@code
   * final-read-<topic>.txt} (one "partition offset value" line per record) into {@code dir}.
   */
  public void saveHistories(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (var e : histories.entrySet()) {
      e.getValue().save(dir.resolve("history-" + e.getKey() + ".txt"));
    }
    for (var e : lastFinalRead.entrySet()) {
      try (BufferedWriter w =
          Files.newBufferedWriter(
              dir.resolve("final-read-" + e.getKey() + ".txt"), StandardCharsets.UTF_8)) {
        for (FinalRead r : e.getValue().values()) {
          w.write("# " + r.tp() + " high watermark " + r.highWatermark());
          w.newLine();
          for (OffsetValue ov : r.records()) {
            w.write(r.tp().partition() + " " + ov.offset() + " " + ov.value());
            w.newLine();
          }
        }
      }
    }
  }

  /** One line per client: acknowledged / failed / read counts and last errors. */
  public String clientStates() {
    StringBuilder sb = new StringBuilder();
    producers.values().forEach(p -> sb.append("\n  ").append(p));
    consumers.values().forEach(c -> sb.append("\n  ").append(c));
    return sb.toString();
  }

  /** Stops every client at once, without waiting for sends under way. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ProducerLoop p : producers.values()) {
      try {
        p.abort();
      } catch (RuntimeException e) {
        LOG.warn("closing {}", p, e);
      }
    }
    for (ConsumerLoop c : consumers.values()) {
      try {
        c.stop(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void createTopics(Admin admin) throws InterruptedException {
    long deadline = System.nanoTime() + options.setupTimeout().toNanos();
    Map<String, NewTopic> pending = new LinkedHashMap<>();
    for (var e : topics.entrySet()) {
      String minIsr = e.getKey() == AckMode.ALL ? "2" : "1";
      pending.put(
          e.getValue(),
          new NewTopic(e.getValue(), options.partitions(), options.replicationFactor())
              .configs(Map.of("min.insync.replicas", minIsr)));
    }
    // Retriable failures (a slow controller on a loaded machine answers after the Admin's own
    // timeout) are retried until the setup deadline; a topic created by an attempt whose answer
    // was lost then reports TopicExists, which counts as created.
    while (!pending.isEmpty()) {
      var futures = admin.createTopics(List.copyOf(pending.values())).values();
      for (var f : futures.entrySet()) {
        try {
          f.getValue().get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
          pending.remove(f.getKey());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicExistsException) {
            LOG.info("topic {} exists; reusing it", f.getKey());
            pending.remove(f.getKey());
          } else if (!(e.getCause() instanceof RetriableException)
              || System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "creating topic " + f.getKey() + " failed", e.getCause());
          } else {
            LOG.info("creating topic {} failed, retrying: {}", f.getKey(), e.getCause().toString());
          }
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException(
              "creating topic " + f.getKey() + " took longer than " + options.setupTimeout(), e);
        }
      }
    }
    awaitLeaders(admin, deadline);
  }

  private void awaitLeaders(Admin admin, long deadline) throws InterruptedException {
    String last = "not described yet";
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> d =
            admin.describeTopics(topics.values()).allTopicNames().get(5, TimeUnit.SECONDS);
        last = null;
        for (TopicDescription td : d.values()) {
          if (td.partitions().size() != options.partitions()) {
            last = td.name() + " has " + td.partitions().size() + " partitions";
          }
          for (TopicPartitionInfo p : td.partitions()) {
            if (p.leader() == null || p.leader().isEmpty()) {
              last = td.name() + "-" + p.partition() + " has no leader";
            }
          }
        }
        if (last == null) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e.toString();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    throw new IllegalStateException(
        "topics " + topics.values() + " not ready within " + options.setupTimeout() + ": " + last);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }
}
