package io.brook.systest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.client.admin.ListTopicsOptions;
import io.brook.client.admin.NewTopic;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import io.brook.systest.harness.Deadline;
import io.brook.systest.harness.RepositoryLayout;
import io.brook.systest.harness.ScenarioDir;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution as an operator uses it: the tarball {@code mvn package} built ({@code
 * deploy/target/brook-VERSION.tgz}) is unpacked by {@code deploy/local/brook-local-cluster.sh} into
 * a scenario directory, which then starts a real three-member ZooKeeper ensemble and three brokers
 * (each its own JVM, on free loopback ports derived from a probed base port). A topic with RF 3 and
 * min.insync.replicas 2 is written with acks=all the whole time by a background producer; the
 * ZooKeeper leader and the controller broker are SIGKILLed: producing and consuming go on; both
 * come back; {@code brook-rolling-restart.sh} restarts the three brokers one by one through the
 * local script; at the end no partition is under-replicated and every acknowledged record is read
 * back. Everything is stopped by pid (the script's pid files) in {@code finally}.
 */
@Tag("system")
class LocalEnsembleTest {
  private static final Logger log = LogManager.getLogger(LocalEnsembleTest.class);
  private static final String TOPIC = "ensemble";
  private static final int PARTITIONS = 3;
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final Pattern ZK_STATUS =
      Pattern.compile("zookeeper-(\\d): running \\(pid (\\d+)\\), port \\d+, mode (\\w+)");

  /** C1 only and the serial GC: the fastest start on two busy cores (as ProcessCluster). */
  private static final String JVM_PERFORMANCE_OPTS =
      "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true";

  private final RepositoryLayout repo = RepositoryLayout.find();
  private final AtomicInteger scriptRuns = new AtomicInteger();

  /** Where script outputs go: {@code scripts/} in the scenario directory. */
  private Path scriptOutputs;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void ensembleAndBrokersSurviveKillsAndRollingRestart() throws Exception {
    Path tarball = tarball();
    ScenarioDir scenario = ScenarioDir.create("local-ensemble");
    Path dir = scenario.path();
    scriptOutputs = dir.resolve("scripts");
    boolean passed = false;
    long t0 = System.nanoTime();
    Path local = null;
    try {
      int base = probeBasePort();
      run(
          repo.root().resolve("deploy/local/brook-local-cluster.sh"),
          "--dir",
          dir.toString(),
          "init",
          "--tarball",
          tarball.toString(),
          "--base-port",
          Integer.toString(base),
          // Quick failure detection, so that the test sees the failovers within seconds.
          "--broker-property",
          "zookeeper.session.timeout.ms=6000",
          "--broker-property",
          "replica.lag.time.max.ms=8000");
      Path home = distribution(dir);
      local = home.resolve("local/brook-local-cluster.sh");
      String startOut = run(local, "--dir", dir.toString(), "start");
      log.info("ensemble and brokers started in {} ms", ms(t0));
      assertTrue(startOut.contains("cluster running"), startOut);
      String bootstrap = run(local, "--dir", dir.toString(), "bootstrap").trim();

      Set<String> allAcked;
      try (Admin admin = admin(bootstrap)) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, PARTITIONS, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2"))))
            .all()
            .get(30, TimeUnit.SECONDS);
        awaitNoUnderReplicated(admin, WAIT);

        try (BackgroundProducer producer = new BackgroundProducer(bootstrap)) {
          producer.start();
          producer.awaitAcked(200, WAIT);

          // One ZooKeeper member (the leader) and one broker (the controller) die at once.
          int zkLeader = zooKeeperLeader(run(local, "--dir", dir.toString(), "status"));
          int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
          long tKill = System.nanoTime();
          run(local, "--dir", dir.toString(), "kill-zk", Integer.toString(zkLeader));
          run(local, "--dir", dir.toString(), "kill-broker", Integer.toString(controller));
          log.info(
              "killed zookeeper-{} (the leader) and broker {} (the controller)",
              zkLeader,
              controller);

          // Producing goes on: a few hundred more records acknowledged with acks=all.
          int before = producer.acked();
          producer.awaitAcked(before + 300, Duration.ofSeconds(60));
          log.info(
              "{} more records acknowledged {} ms after the kills",
              producer.acked() - before,
              ms(tKill));
          // The remaining two ZooKeeper members serve (a new leader) and a new controller runs.
          String status = run(local, "--dir", dir.toString(), "status");
          assertEquals(
              1, zkModes(status).values().stream().filter("leader"::equals).count(), status);
          Deadline.await(
              "a controller other than the killed broker " + controller,
              WAIT,
              () -> controllerId(admin).filter(c -> c != controller).isPresent());
          // Consuming goes on: everything acknowledged so far is read back from the two brokers.
          assertAllRead(
              bootstrap, producer.ackedSnapshot(), "with one ZooKeeper and one broker down");

          run(local, "--dir", dir.toString(), "start-zk", Integer.toString(zkLeader));
          run(local, "--dir", dir.toString(), "start-broker", Integer.toString(controller));
          awaitNoUnderReplicated(admin, WAIT);
          log.info("killed members back and in sync {} ms after the kills", ms(tKill));

          long tRoll = System.nanoTime();
          String rolling =
              run(
                  home.resolve("bin/brook-rolling-restart.sh"),
                  "--bootstrap-server",
                  bootstrap,
                  "--restart-command",
                  local + " --dir " + dir + " restart-broker {id}",
                  "--timeout-ms",
                  "60000",
                  "--poll-ms",
                  "500");
          log.info("rolling restart took {} ms:\n{}", ms(tRoll), rolling);
          assertTrue(rolling.contains("Rolling restart of brokers 1,2,3 completed"), rolling);
          for (int id = 1; id <= 3; id++) {
            assertTrue(rolling.contains("broker-" + id + " started"), rolling);
          }

          before = producer.acked();
          producer.awaitAcked(before + 100, WAIT);
          producer.stopAndAwait();
          allAcked = producer.ackedSnapshot();
          log.info(
              "producer: {} acknowledged, {} failed sends (retried by the loop)",
              producer.acked(),
              producer.failures());
        }
        awaitNoUnderReplicated(admin, Duration.ofSeconds(10));
        List<String> urp = underReplicated(admin);
        assertTrue(urp.isEmpty(), "under-replicated at the end: " + urp);
      }
      assertAllRead(bootstrap, allAcked, "at the end");
      passed = true;
    } finally {
      stopEverything(dir, local);
      log.info("scenario took {} ms", ms(t0));
      scenario.finish(passed);
    }
  }

  /** The distribution lists the licence of every third-party jar it bundles. */
  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES)
  void thirdPartyListNamesEveryBundledJar() throws Exception {
    Path tarball = tarball();
    Process p =
        new ProcessBuilder("tar", "-tzf", tarball.toString()).redirectErrorStream(true).start();
    List<String> entries;
    try (var in = p.getInputStream()) {
      entries = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "tar -tzf " + tarball);
    String root = entries.get(0).substring(0, entries.get(0).indexOf('/') + 1);
    for (String required :
        List.of(
            "bin/brook-server-start.sh",
            "bin/brook-zookeeper-server-start.sh",
            "bin/brook-rolling-restart.sh",
            "config/server.properties",
            "config/zookeeper.properties",
            "config/log4j2-server.xml",
            "config/zookeeper-ensemble/zoo-1.properties",
            "config/brokers/server-3.properties",
            "local/brook-local-cluster.sh",
            "systemd/brook-broker.service",
            "systemd/brook-zookeeper.service",
            "LICENSE",
            "NOTICE",
            "licenses/THIRD-PARTY.txt")) {
      assertTrue(entries.contains(root + required), "the tarball has no " + required);
    }
    String listed = Files.readString(repo.root().resolve("deploy/dist/licenses/THIRD-PARTY.txt"));
    List<String> missing =
        entries.stream()
            .filter(e -> e.startsWith(root + "libs/") && e.endsWith(".jar"))
            .map(e -> e.substring((root + "libs/").length()))
            .filter(jar -> !jar.startsWith("brook-"))
            .filter(jar -> !listed.contains(jar + ":"))
            .toList();
    assertTrue(
        missing.isEmpty(),
        "jars without a licence line in deploy/dist/licenses/THIRD-PARTY.txt: "
            + missing
            + " (regenerate it: see deploy/src/licenses/generate-third-party.py)");
  }

  // ------------------------------------------------------------------ the cluster

  private Path tarball() throws IOException {
    Path target = repo.root().resolve("deploy/target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(f -> f.getFileName().toString().matches("brook-.*\\.tgz"))
          .max(Comparator.comparingLong(f -> f.toFile().lastModified()))
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no brook-*.tgz in " + target + ": run `mvn -DskipTests package` first"));
    } catch (IOException e) {
      throw new IllegalStateException(
          target + " is missing: run `mvn -DskipTests package` (brook-deploy builds it) first", e);
    }
  }

  private static Path distribution(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("dist"))) {
      return s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  /**
   * Runs a script (environment: this JVM's minus BROOK_*, plus JAVA_HOME and fast-start JVM flags);
   * its output goes to {@code scripts/NNN-name.out} in the scenario directory and is returned. A
   * non-zero exit fails the test with the output.
   */
  private String run(Path script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    Path outDir = Files.createDirectories(scriptOutputs);
    String name =
        String.format(
            "%03d-%s-%s.out",
            scriptRuns.incrementAndGet(),
            script.getFileName(),
            args.length > 2 && !args[2].startsWith("-") && !args[2].contains("/")
                ? args[2]
                : "run");
    Path out = outDir.resolve(name);
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("BROOK_"));
    env.put("BROOK_JVM_PERFORMANCE_OPTS", JVM_PERFORMANCE_OPTS);
    env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
    pb.redirectErrorStream(true);
    pb.redirectOutput(out.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      fail(command + " did not finish within " + SCRIPT_TIMEOUT + ":\n" + Files.readString(out));
    }
    String output = Files.readString(out);
    log.info("{} exited {} in {} ms", String.join(" ", command), p.exitValue(), ms(t0));
    if (p.exitValue() != 0) {
      fail(command + " exited " + p.exitValue() + ":\n" + output);
    }
    return output;
  }

  /**
   * A base port P such that the ports the local script derives (P+1..3, P+11..13, P+21..23,
   * P+31..33) are free now, below the ephemeral range.
   */
  private static int probeBasePort() throws IOException {
    Random random = new Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 15_000 + random.nextInt(150) * 100;
      List<Integer> ports = new ArrayList<>();
      for (int offset : new int[] {0, 10, 20, 30}) {
        for (int n = 1; n <= 3; n++) {
          ports.add(base + offset + n);
        }
      }
      if (ports.stream().allMatch(LocalEnsembleTest::isFree)) {
        return base;
      }
    }
    throw new IOException("no free port range found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<Integer, String> zkModes(String status) {
    Map<Integer, String> modes = new HashMap<>();
    Matcher m = ZK_STATUS.matcher(status);
    while (m.find()) {
      modes.put(Integer.parseInt(m.group(1)), m.group(3));
    }
    return modes;
  }

  private static int zooKeeperLeader(String status) {
    return zkModes(status).entrySet().stream()
        .filter(e -> e.getValue().equals("leader"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ZooKeeper leader in:\n" + status));
  }

  /**
   * Stops everything: the script's {@code stop} (SIGTERM, wait), then SIGKILL for any member whose
   * pid file still names a live process of this scenario.
   */
  private void stopEverything(Path dir, Path local) {
    if (local != null) {
      try {
        run(local, "--dir", dir.toString(), "stop");
      } catch (Exception | AssertionError e) {
        log.warn("stop failed: {}", e.getMessage());
      }
    }
    for (String member :
        List.of(
            "broker-1/broker.pid",
            "broker-2/broker.pid",
            "broker-3/broker.pid",
            "zk-1/zk.pid",
            "zk-2/zk.pid",
            "zk-3/zk.pid")) {
      Path pidFile = dir.resolve(member);
      try {
        if (!Files.exists(pidFile)) {
          continue;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()
            && h.get().isAlive()
            && h.get().info().commandLine().orElse("").contains(dir.toString())) {
          log.warn("{} (pid {}) still alive after stop: SIGKILL", member, pid);
          h.get().destroyForcibly();
          h.get().onExit().get(30, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        log.warn("cannot stop {}: {}", member, e.toString());
      }
    }
  }

  // ------------------------------------------------------------------ clients

  private static Admin admin(String bootstrap) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    conf.put("default.api.timeout.ms", 10_000);
    conf.put("request.timeout.ms", 5_000);
    return Admin.create(conf);
  }

  private static Optional<Integer> controllerId(Admin admin) {
    try {
      return Optional.ofNullable(admin.describeCluster().controller().get(5, TimeUnit.SECONDS))
          .map(n -> n.id());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private static List<String> underReplicated(Admin admin) throws Exception {
    Set<String> names =
        admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(10, TimeUnit.SECONDS);
    List<String> urp = new ArrayList<>();
    for (TopicDescription t :
        admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
      for (TopicPartitionInfo p : t.partitions()) {
        if (p.leader() == null || p.isr().size() < p.replicas().size()) {
          urp.add(t.name() + "-" + p.partition() + " " + p);
        }
      }
    }
    return urp;
  }

  private static void awaitNoUnderReplicated(Admin admin, Duration timeout) {
    AtomicReference<String> last = new AtomicReference<>("nothing read");
    Deadline.await(
        "no under-replicated partition",
        timeout,
        () -> {
          try {
            List<String> urp = underReplicated(admin);
            last.set(urp.toString());
            return urp.isEmpty();
          } catch (Exception e) {
            last.set(e.toString());
            return false;
          }
        },
        last::get);
  }

  /** Reads every partition from the beginning to its end offset; every {@code acked} is there. */
  private static void assertAllRead(String bootstrap, Set<String> acked, String when) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    conf.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    conf.put("request.timeout.ms", 5000);
    List<TopicPartition> tps =
        IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    Set<String> read = new HashSet<>();
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(conf)) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      AtomicReference<Map<TopicPartition, Long>> end = new AtomicReference<>();
      Deadline.await(
          "the end offsets " + when,
          WAIT,
          () -> {
            try {
              end.set(consumer.endOffsets(tps));
              return true;
            } catch (RuntimeException e) {
              return false;
            }
          });
      Deadline.await(
          "the consumer to reach the end offsets " + end.get() + " " + when,
          WAIT,
          () -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              read.add(r.value());
            }
            return tps.stream().allMatch(tp -> consumer.position(tp) >= end.get().get(tp));
          });
    }
    Set<String> lost = new TreeSet<>(acked);
    lost.removeAll(read);
    assertTrue(
        lost.isEmpty(),
        lost.size() + " acknowledged record(s) not read back " + when + ": " + first(lost));
    log.info("read back all {} acknowledged records {}", acked.size(), when);
  }

  private static String first(Set<String> s) {
    return s.stream().limit(10).collect(Collectors.joining(", "));
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * Sends records with acks=all and idempotence, one at a time round-robin over the partitions,
   * until stopped; remembers every acknowledged value. A failed send (a timeout while leadership
   * moves) is counted and the loop goes on with the next record.
   */
  private static final class BackgroundProducer implements AutoCloseable {
    private final BrookProducer<String, String> producer;
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    BackgroundProducer(String bootstrap) {
      Map<String, Object> conf = new HashMap<>();
      conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      conf.put(ProducerConfig.ACKS_CONFIG, "all");
      conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      conf.put(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          "io.brook.client.common.serialization.StringSerializer");
      conf.put(
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          "io.brook.client.common.serialization.StringSerializer");
      conf.put("request.timeout.ms", 5000);
      conf.put("delivery.timeout.ms", 30000);
      producer = new BrookProducer<>(conf);
      thread = new Thread(this::loop, "local-ensemble-producer");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void loop() {
      int i = 0;
      while (running.get()) {
        int p = i % PARTITIONS;
        String v = p + "|v-" + i;
        try {
          producer.send(new ProducerRecord<>(TOPIC, p, null, v)).get(40, TimeUnit.SECONDS);
          acked.add(v);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          if (failures.incrementAndGet() <= 10) {
            log.info("send of {} failed: {}", v, e.toString());
          }
        }
        i++;
      }
    }

    int acked() {
      return acked.size();
    }

    int failures() {
      return failures.get();
    }

    Set<String> ackedSnapshot() {
      return Set.copyOf(acked);
    }

    void awaitAcked(int count, Duration timeout) {
      Deadline.await(
          count + " records acknowledged (acks=all)",
          timeout,
          () -> acked.size() >= count,
          () -> acked.size() + " acknowledged, " + failures.get() + " failed");
    }

    void stopAndAwait() {
      running.set(false);
      try {
        thread.join(TimeUnit.SECONDS.toMillis(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stopAndAwait();
      producer.close();
    }
  }
}
