package io.brook.systest.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.admin.ConsumerGroupDescription;
import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.admin.MemberDescription;
import io.brook.client.admin.NewTopic;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.systest.harness.ClusterOptions;
import io.brook.systest.harness.Deadline;
import io.brook.systest.harness.ManagedProcess;
import io.brook.systest.harness.ProcessCluster;
import io.brook.systest.harness.ScenarioDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consumer-group scenario of the fault suite. A group of five members (three in this JVM, two
 * console consumers in their own JVMs) consumes and commits a six-partition topic while a producer
 * keeps writing; members are bounced cleanly (close, or SIGTERM for a console consumer) and
 * abruptly (SIGKILL), and the coordinator's broker is killed with SIGKILL and restarted.
 *
 * <p>Checks: commits never go backwards (sampled all along); once stable, every partition has
 * exactly one owner; after the final clean shutdown the committed offset of every partition equals
 * the consumed position (the log end); at least once: every offset below the final commit was
 * delivered to some member.
 */
@Tag("system")
class ConsumerGroupFaultsTest {
  private static final Logger log = LogManager.getLogger(ConsumerGroupFaultsTest.class);
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String TOPIC = "cg";
  private static final String GROUP = "cg-group";
  private static final int PARTITIONS = 6;
  private static final int OFFSETS_PARTITIONS = 6;
  private static final Pattern CONSOLE_LINE = Pattern.compile("^Partition:(\\d+)\tOffset:(\\d+)\t");

  private ProcessCluster cluster;
  private final List<GroupMember> members = new CopyOnWriteArrayList<>();
  private final Map<TopicPartition, List<Long>> commitSamples = new ConcurrentHashMap<>();
  private final CountDownLatch stopProducing = new CountDownLatch(1);
  private final CountDownLatch stopSampling = new CountDownLatch(1);
  private final AtomicReference<Throwable> backgroundFailure = new AtomicReference<>();

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void membersBouncedAndCoordinatorKilledWhileConsumingAndCommitting() throws Exception {
    ScenarioDir dir = ScenarioDir.create("consumer-group-faults");
    boolean passed = false;
    try (ProcessCluster c =
        ProcessCluster.start(
            dir.path(),
            ClusterOptions.defaults()
                .withBrokerOverride("offsets.topic.num.partitions", "" + OFFSETS_PARTITIONS)
                .withBrokerOverride("group.initial.rebalance.delay.ms", "0"))) {
      cluster = c;
      run();
      passed = true;
    } finally {
      members.forEach(GroupMember::close);
      stopProducing.countDown();
      stopSampling.countDown();
      log.info("scenario directory: {}", dir.finish(passed));
    }
  }

  private void run() throws Exception {
    cluster
        .admin()
        .createTopics(
            List.of(
                new NewTopic(TOPIC, PARTITIONS, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2"))))
        .all()
        .get(30, TimeUnit.SECONDS);
    cluster.awaitHealthy(List.of(TOPIC), CONVERGE);
    Thread producer = daemon("cg-producer", this::produce);
    Thread sampler = daemon("cg-commit-sampler", this::sampleCommits);

    GroupMember j1 = member("j1");
    GroupMember j2 = member("j2");
    member("j3");
    ManagedProcess p1 = consoleMember("p1");
    ManagedProcess p2 = consoleMember("p2");
    awaitStable("the group of five", Set.of("j1", "j2", "j3", "p1", "p2"));
    awaitCommitsAdvanceEverywhere("the group of five consumes and commits");

    log.info("fault 1: j1 bounced cleanly");
    j1.close();
    member("j1b");
    awaitStable("after j1's clean bounce", Set.of("j1b", "j2", "j3", "p1", "p2"));
    awaitCommitsAdvanceEverywhere("after j1's clean bounce");

    log.info("fault 2: p1 killed (SIGKILL) and restarted");
    p1.kill9(Duration.ofSeconds(30));
    // its partitions are taken over once its session times out
    awaitStable("after p1's kill", Set.of("j1b", "j2", "j3", "p2"));
    awaitCommitsAdvanceEverywhere("after p1's kill");
    p1.start();
    awaitStable("after p1's restart", Set.of("j1b", "j2", "j3", "p1", "p2"));

    log.info("fault 3: the coordinator's broker killed (SIGKILL)");
    int coordinator = coordinatorOf(GROUP);
    cluster.kill9(coordinator);
    Deadline.await(
        "a new coordinator",
        CONVERGE,
        () -> {
          int now = coordinatorOf(GROUP);
          return now >= 0 && now != coordinator;
        });
    awaitCommitsAdvanceEverywhere("after the coordinator's kill");
    cluster.start(coordinator);
    cluster.awaitHealthy(List.of(TOPIC, Topic.CONSUMER_OFFSETS), CONVERGE);
    awaitStable("after the coordinator's restart", Set.of("j1b", "j2", "j3", "p1", "p2"));

    log.info("fault 4: j2 bounced cleanly and p2 killed, at once");
    p2.kill9(Duration.ofSeconds(30));
    j2.close();
    member("j2b");
    awaitStable("after j2's bounce and p2's kill", Set.of("j1b", "j2b", "j3", "p1"));
    p2.start();
    awaitStable("after p2's restart", Set.of("j1b", "j2b", "j3", "p1", "p2"));
    awaitCommitsAdvanceEverywhere("after p2's restart");

    log.info("healing: producer stops, the group drains the topic");
    stopProducing.countDown();
    producer.join(TimeUnit.SECONDS.toMillis(60));
    assertNull(backgroundFailure.get(), "producer: " + backgroundFailure.get());
    Map<TopicPartition, Long> logEnd = logEnd();
    Deadline.await(
        "the group committed up to the log end",
        Duration.ofSeconds(90),
        () -> latestCommits().equals(logEnd),
        () -> "commits " + latestCommits() + " log end " + logEnd);

    // once stable, every partition has exactly one owner
    awaitStable("at the end", Set.of("j1b", "j2b", "j3", "p1", "p2"));

    // clean shutdown of everyone; the committed offsets are the consumed positions
    List<GroupMember> live = members.stream().filter(m -> !m.exited()).toList();
    live.forEach(GroupMember::close);
    p1.terminate(Duration.ofSeconds(30));
    p2.terminate(Duration.ofSeconds(30));
    stopSampling.countDown();
    sampler.join(TimeUnit.SECONDS.toMillis(60));
    for (GroupMember m : members) {
      assertNull(m.failure(), m.name() + " failed: " + m.failure());
    }
    Map<TopicPartition, Long> finalCommits = committedNow();
    assertEquals(logEnd, finalCommits, "after clean shutdowns: committed == log end");

    Map<TopicPartition, Set<Long>> delivered = delivered(List.of(p1, p2));
    Map<TopicPartition, Long> consumedPosition = new TreeMap<>();
    delivered.forEach(
        (tp, offsets) -> consumedPosition.put(tp, offsets.isEmpty() ? 0 : max(offsets) + 1));
    assertEquals(finalCommits, consumedPosition, "committed == consumed position");

    // at least once: every offset below the final commit reached some member
    for (Map.Entry<TopicPartition, Long> e : finalCommits.entrySet()) {
      Set<Long> got = delivered.getOrDefault(e.getKey(), Set.of());
      List<Long> missing =
          IntStream.range(0, (int) (long) e.getValue())
              .mapToObj(Long::valueOf)
              .filter(o -> !got.contains(o))
              .limit(20)
              .toList();
      assertTrue(missing.isEmpty(), e.getKey() + ": never delivered: " + missing);
    }

    // commits never went backwards
    commitSamples.forEach(
        (tp, series) -> {
          for (int i = 1; i < series.size(); i++) {
            assertTrue(
                series.get(i) >= series.get(i - 1),
                tp + ": commit went back from " + series.get(i - 1) + " to " + series.get(i));
          }
        });
    int samples = commitSamples.values().stream().mapToInt(List::size).sum();
    String verdict =
        String.format(
            "consumer-group-faults: SAFE: log end %s; %d offsets delivered, %d deliveries were"
                + " repeats (at least once); %d commit samples, none went back%n",
            logEnd, delivered.values().stream().mapToInt(Set::size).sum(), duplicates, samples);
    log.info(verdict.trim());
    Path summary = cluster.dir().getParent().resolve("summary.txt");
    Files.writeString(
        summary,
        verdict,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  // ------------------------------------------------------------------ members

  private GroupMember member(String name) {
    GroupMember m =
        new GroupMember(name, cluster.bootstrapServers(), GROUP, TOPIC, Map.of()).start();
    members.add(m);
    return m;
  }

  private ManagedProcess consoleMember(String name) {
    ManagedProcess p =
        cluster.newClientProcess(
            name,
            "brook-console-consumer.sh",
            "--bootstrap-server",
            cluster.bootstrapServers(),
            "--topic",
            TOPIC,
            "--group",
            GROUP,
            "--property",
            "print.partition=true",
            "--property",
            "print.offset=true",
            "--consumer-property",
            "session.timeout.ms=6000",
            "--consumer-property",
            "heartbeat.interval.ms=1000",
            "--consumer-property",
            "auto.commit.interval.ms=1000",
            "--consumer-property",
            "auto.offset.reset=earliest",
            "--consumer-property",
            "client.id=" + name);
    p.start();
    return p;
  }

  private int duplicates;

  /** Every offset delivered to some member, per partition (this JVM's members and the console). */
  private Map<TopicPartition, Set<Long>> delivered(List<ManagedProcess> consoles)
      throws IOException {
    Map<TopicPartition, Set<Long>> d = new TreeMap<>();
    duplicates = 0;
    for (GroupMember m : members) {
      for (GroupMember.Consumed c : m.consumed()) {
        if (!d.computeIfAbsent(c.partition(), x -> new TreeSet<>()).add(c.offset())) {
          duplicates++;
        }
      }
    }
    for (ManagedProcess p : consoles) {
      for (String line : Files.readAllLines(p.outFile(), StandardCharsets.UTF_8)) {
        Matcher m = CONSOLE_LINE.matcher(line);
        if (m.find()) {
          TopicPartition tp = new TopicPartition(TOPIC, Integer.parseInt(m.group(1)));
          if (!d.computeIfAbsent(tp, x -> new TreeSet<>()).add(Long.parseLong(m.group(2)))) {
            duplicates++;
          }
        }
      }
    }
    return d;
  }

  private static long max(Set<Long> s) {
    return s.stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  // ------------------------------------------------------------------ group state

  private ConsumerGroupDescription describeGroup() {
    try {
      return cluster
          .admin()
          .describeConsumerGroups(List.of(GROUP))
          .all()
          .get(30, TimeUnit.SECONDS)
          .get(GROUP);
    } catch (Exception e) {
      log.info("describe failed: {}", e.toString());
      return null;
    }
  }

  /**
   * Waits until the group is Stable with exactly these members (by client id), every partition
   * owned by exactly one of them and every member owning at least one.
   */
  private void awaitStable(String what, Set<String> clientIds) {
    AtomicReference<ConsumerGroupDescription> last = new AtomicReference<>();
    Deadline.await(
        what + ": the group is stable with " + clientIds,
        Duration.ofSeconds(90),
        () -> {
          ConsumerGroupDescription d = describeGroup();
          last.set(d);
          return d != null
              && d.state() == ConsumerGroupState.STABLE
              && d.members().stream()
                  .map(MemberDescription::clientId)
                  .collect(Collectors.toSet())
                  .equals(clientIds)
              && d.members().size() == clientIds.size()
              && d.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty())
              && ownersOk(d);
        },
        () -> String.valueOf(last.get()));
    log.info("{}: stable with {}", what, clientIds);
  }

  private static boolean ownersOk(ConsumerGroupDescription d) {
    if (d == null || d.members().isEmpty()) {
      return false;
    }
    Map<TopicPartition, String> owner = new HashMap<>();
    for (MemberDescription m : d.members()) {
      for (TopicPartition tp : m.assignment().topicPartitions()) {
        if (owner.put(tp, m.consumerId()) != null) {
          return false;
        }
      }
    }
    return owner.size() == PARTITIONS;
  }

  private int coordinatorOf(String group) {
    int partition = (group.hashCode() & 0x7fffffff) % OFFSETS_PARTITIONS;
    return cluster.leaderOf(new TopicPartition(Topic.CONSUMER_OFFSETS, partition));
  }

  // ------------------------------------------------------------------ commits

  /** Waits until every partition's committed offset moved past where it is now. */
  private void awaitCommitsAdvanceEverywhere(String what) {
    Map<TopicPartition, Long> start = latestCommits();
    Deadline.await(
        what + ": commits advance on every partition",
        Duration.ofSeconds(90),
        () -> {
          Map<TopicPartition, Long> now = latestCommits();
          return now.size() == PARTITIONS
              && now.entrySet().stream()
                  .allMatch(e -> e.getValue() > start.getOrDefault(e.getKey(), -1L));
        },
        () -> "from " + start + " to " + latestCommits() + "; members " + members);
    for (GroupMember m : members) {
      assertNull(m.failure(), m.name() + " failed: " + m.failure());
    }
  }

  private Map<TopicPartition, Long> latestCommits() {
    Map<TopicPartition, Long> m = new TreeMap<>();
    commitSamples.forEach(
        (tp, series) -> {
          if (!series.isEmpty()) {
            m.put(tp, series.get(series.size() - 1));
          }
        });
    return m;
  }

  /** Samples the group's committed offsets every 200 ms until told to stop. */
  private void sampleCommits() {
    try (BrookConsumer<String, String> c = new BrookConsumer<>(consumerConfig())) {
      Set<TopicPartition> all = partitions();
      do {
        try {
          Map<TopicPartition, OffsetAndMetadata> m = c.committed(all, Duration.ofSeconds(10));
          m.forEach(
              (tp, o) -> {
                if (o != null) {
                  commitSamples
                      .computeIfAbsent(tp, x -> new CopyOnWriteArrayList<>())
                      .add(o.offset());
                }
              });
        } catch (RuntimeException e) {
          log.debug("commit sample failed (coordinator moving?): {}", e.toString());
        }
      } while (!stopSampling.await(200, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Map<TopicPartition, Long> committedNow() {
    try (BrookConsumer<String, String> c = new BrookConsumer<>(consumerConfig())) {
      Map<TopicPartition, OffsetAndMetadata> m = c.committed(partitions(), Duration.ofSeconds(60));
      Map<TopicPartition, Long> out = new TreeMap<>();
      m.forEach((tp, o) -> out.put(tp, o == null ? -1 : o.offset()));
      return out;
    }
  }

  private Map<TopicPartition, Long> logEnd() {
    try (BrookConsumer<String, String> c = new BrookConsumer<>(consumerConfig())) {
      return new TreeMap<>(c.endOffsets(partitions(), Duration.ofSeconds(60)));
    }
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    conf.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    conf.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    return conf;
  }

  private static Set<TopicPartition> partitions() {
    return IntStream.range(0, PARTITIONS)
        .mapToObj(p -> new TopicPartition(TOPIC, p))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  // ------------------------------------------------------------------ producer

  /** Writes batches of 60 records (ten per partition), paced, until told to stop. */
  private void produce() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    conf.put(ProducerConfig.ACKS_CONFIG, "all");
    conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    conf.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    conf.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    conf.put("delivery.timeout.ms", 120000);
    long seq = 0;
    try (BrookProducer<String, String> p = new BrookProducer<>(conf)) {
      do {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < 60; i++, seq++) {
          acks.add(
              p.send(new ProducerRecord<>(TOPIC, (int) (seq % PARTITIONS), null, "cg-" + seq)));
        }
        for (Future<RecordMetadata> f : acks) {
          f.get(150, TimeUnit.SECONDS);
        }
      } while (!stopProducing.await(50, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      backgroundFailure.set(e);
      log.error("producer failed", e);
    }
  }

  private Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
