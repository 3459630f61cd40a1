package io.brook.broker.tools;

import io.brook.broker.server.BrokerServer;
import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.client.admin.NewTopic;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brook-quickstart.sh}: Brook in one command. Starts ZooKeeper ({@link EmbeddedZooKeeper})
 * and one broker ({@link BrokerServer}) in this JVM on 127.0.0.1 (ports 2181 and 9092 when free,
 * otherwise ports chosen by the operating system), creates the topic {@code quickstart-events} with
 * 3 partitions, produces a few keyed records and consumes them back, printing each, then prints
 * commands to try with the console tools and runs until Ctrl-C.
 *
 * <p>Data lives in {@code quickstart-data/} of the Brook directory (or {@code --data-dir}) and is
 * wiped at every start: the quickstart always begins from an empty cluster. A directory is only
 * wiped when it is empty or was made by the quickstart (it holds {@value #MARKER}); a lock on that
 * file keeps two quickstarts from sharing a directory.
 *
 * <p>Lifecycle: {@link #start} returns a running node; {@link #close()} stops the broker, then
 * ZooKeeper, and is idempotent. Thread-safe for {@code close()} (the shutdown hook calls it); other
 * methods from one thread.
 */
public final class Quickstart implements AutoCloseable {

  static final String MARKER = ".brook-quickstart";
  static final String TOPIC = "quickstart-events";
  static final int PARTITIONS = 3;

  /** The demo records: the same key always lands on the same partition. */
  static final List<Map.Entry<String, String>> RECORDS =
      List.of(
          Map.entry("alice", "signed up"),
          Map.entry("bob", "signed up"),
          Map.entry("alice", "added 'The Log' to her cart"),
          Map.entry("carol", "signed up"),
          Map.entry("bob", "searched for 'commit log'"),
          Map.entry("alice", "checked out"));

  private final Path dataDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final EmbeddedZooKeeper zookeeper;
  private final BrokerServer broker;
  private boolean closed;

  private Quickstart(
      Path dataDir,
      FileChannel lockChannel,
      FileLock lock,
      EmbeddedZooKeeper zookeeper,
      BrokerServer broker) {
    this.dataDir = dataDir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.zookeeper = zookeeper;
    this.broker = broker;
  }

  /**
   * Wipes and locks {@code dataDir}, then starts ZooKeeper and broker 1.
   *
   * @param zookeeperPort ZooKeeper's port on 127.0.0.1 (0: any free port)
   * @param brokerPort the broker's port on 127.0.0.1 (0: any free port)
   * @throws IllegalStateException when the directory is in use or not the quickstart's
   */
  public static Quickstart start(Path dataDir, int zookeeperPort, int brokerPort)
      throws IOException, InterruptedException {
    dataDir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dataDir);
    Path marker = dataDir.resolve(MARKER);
    boolean empty;
    try (Stream<Path> entries = Files.list(dataDir)) {
      empty = entries.findAny().isEmpty();
    }
    if (!empty && !Files.exists(marker)) {
      throw new IllegalStateException(
          dataDir + " is not empty and was not made by the quickstart: give an empty --data-dir");
    }
    FileChannel channel =
        FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this very JVM
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "another quickstart is running with " + dataDir + ": stop it or give another --data-dir");
    }
    EmbeddedZooKeeper zk = null;
    try {
      wipeExcept(dataDir, marker);
      zk = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"), zookeeperPort);
      Map<String, String> props = new LinkedHashMap<>();
      props.put("broker.id", "1");
      props.put("listeners", "PLAINTEXT://" + ClusterLayout.HOST + ":" + brokerPort);
      props.put("log.dirs", dataDir.resolve("broker-1").toString());
      props.put("zookeeper.connect", zk.connectString());
      props.put("num.partitions", Integer.toString(PARTITIONS));
      props.put("default.replication.factor", "1");
      props.put("min.insync.replicas", "1");
      // one broker: the internal topic of consumer groups has one replica (Kafka's quickstart)
      props.put("offsets.topic.replication.factor", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("metrics.port", "0"); // /metrics and /health; the broker logs the port
      BrokerServer broker = BrokerServer.startInProcess(props);
      return new Quickstart(dataDir, channel, lock, zk, broker);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (zk != null) {
        zk.close();
      }
      lock.release();
      channel.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT} of the broker. */
  public String bootstrapServers() {
    return ClusterLayout.HOST + ":" + broker.boundPort();
  }

  public int zookeeperPort() {
    return zookeeper.port();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Creates {@link #TOPIC} with {@link #PARTITIONS} partitions. */
  public void createTopic(PrintStream out) throws Exception {
    try (Admin admin = Admin.create(clientConfig("quickstart-admin"))) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
    out.printf("Created topic %s with %d partitions.%n", TOPIC, PARTITIONS);
  }

  /**
   * Sends {@link #RECORDS} (acks=all), printing where each landed, then reads them back from the
   * offsets they were given, printing each.
   *
   * @return the records read back, in the order read
   */
  public List<ConsumerRecord<String, String>> produceAndConsume(PrintStream out, Time time)
      throws Exception {
    Map<TopicPartition, Long> firstOffsets = new HashMap<>();
    out.println();
    out.printf("Producing %d keyed records to %s:%n", RECORDS.size(), TOPIC);
    Map<String, Object> pc = clientConfig("quickstart-producer");
    pc.put(ProducerConfig.ACKS_CONFIG, "all");
    try (BrookProducer<String, String> producer =
        new BrookProducer<>(
            pc,
            new io.brook.client.common.serialization.StringSerializer(),
            new io.brook.client.common.serialization.StringSerializer())) {
      for (Map.Entry<String, String> r : RECORDS) {
        RecordMetadata m =
            producer
                .send(new ProducerRecord<>(TOPIC, r.getKey(), r.getValue()))
                .get(60, TimeUnit.SECONDS);
        firstOffsets.merge(new TopicPartition(TOPIC, m.partition()), m.offset(), Math::min);
        out.printf(
            "  sent     key=%-6s value=%-32s -> partition %d, offset %d%n",
            r.getKey(), quote(r.getValue()), m.partition(), m.offset());
      }
    }

    out.println();
    out.printf("Consuming them back from %s:%n", TOPIC);
    Map<String, Object> cc = clientConfig("quickstart-consumer");
    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    try (BrookConsumer<String, String> consumer =
        new BrookConsumer<>(
            cc,
            new io.brook.client.common.serialization.StringDeserializer(),
            new io.brook.client.common.serialization.StringDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(firstOffsets.keySet());
      partitions.sort(Comparator.comparingInt(TopicPartition::partition));
      consumer.assign(partitions);
      firstOffsets.forEach(consumer::seek);
      long deadline = time.milliseconds() + 60_000;
      while (read.size() < RECORDS.size() && time.milliseconds() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          read.add(r);
          out.printf(
              "  received partition %d, offset %d: key=%-6s value=%s%n",
              r.partition(), r.offset(), r.key(), quote(r.value()));
        }
      }
    }
    if (read.size() < RECORDS.size()) {
      throw new IllegalStateException(
          "read back only " + read.size() + " of " + RECORDS.size() + " records within 60 s");
    }
    out.println("Records with the same key went to the same partition, in the order sent.");
    return read;
  }

  private Map<String, Object> clientConfig(String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return c;
  }

  /** The copy-paste lines printed once the demo is done. */
  String tryLines(String scripts) {
    String b = bootstrapServers();
    return String.join(
        "\n",
        "",
        "Brook is running: ZooKeeper at 127.0.0.1:" + zookeeperPort() + ", broker 1 at " + b,
        "(data in " + dataDir + ", wiped at the next start).",
        "Try, in another terminal:",
        "",
        "  # describe the topic",
        "  " + scripts + "brook-topics.sh --bootstrap-server " + b + " --describe --topic " + TOPIC,
        "  # type key:value lines, Ctrl-D to finish",
        "  "
            + scripts
            + "brook-console-producer.sh --bootstrap-server "
            + b
            + " --topic "
            + TOPIC
            + " --property parse.key=true --property key.separator=:",
        "  # print everything in the topic, with keys",
        "  "
            + scripts
            + "brook-console-consumer.sh --bootstrap-server "
            + b
            + " --topic "
            + TOPIC
            + " --from-beginning --property print.key=true",
        "  # a topic of your own",
        "  "
            + scripts
            + "brook-topics.sh --bootstrap-server "
            + b
            + " --create --topic my-topic --partitions 6",
        "",
        "Press Ctrl-C to stop Brook.");
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      broker.close();
    } finally {
      zookeeper.close();
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        // the process is ending; the lock goes with it
      }
    }
  }

  private static void wipeExcept(Path dir, Path keep) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir) && !p.equals(keep)) {
          Files.delete(p);
        }
      }
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : '"' + s + '"';
  }

  // ---------------------------------------------------------------- command line

  /** The command line; {@link #call()} runs the whole quickstart. */
  @Command(
      name = "brook-quickstart.sh",
      mixinStandardHelpOptions = true,
      description =
          "Starts ZooKeeper and a broker on 127.0.0.1, creates a topic, produces and consumes a few"
              + " records, and runs until Ctrl-C.")
  static final class Main implements Callable<Integer> {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Where ZooKeeper and the broker keep data (default: quickstart-data/).")
    Path dataDir;

    @Option(
        names = "--zookeeper-port",
        paramLabel = "PORT",
        defaultValue = "2181",
        description = "ZooKeeper's port, if free (default ${DEFAULT-VALUE}).")
    int zookeeperPort;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "9092",
        description = "The broker's port, if free (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--exit", description = "Stop after the demo instead of running until Ctrl-C.")
    boolean exit;

    @Override
    public Integer call() throws Exception {
      PrintStream out = System.out;
      Path home = Path.of(System.getProperty("brook.home", "."));
      Path dir = dataDir != null ? dataDir : home.resolve("quickstart-data");
      int zkPort = choosePort("ZooKeeper", zookeeperPort, out);
      int brokerPort = choosePort("the broker", port, out);
      out.println("Starting ZooKeeper and broker 1 on 127.0.0.1 (data in " + dir + ")...");
      Quickstart q = Quickstart.start(dir, zkPort, brokerPort);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("Stopping Brook...");
                    q.close();
                    System.out.println("Stopped.");
                    stopped.countDown();
                  },
                  "quickstart-shutdown"));
      out.printf(
          "ZooKeeper is at 127.0.0.1:%d; broker 1 is at %s.%n",
          q.zookeeperPort(), q.bootstrapServers());
      q.createTopic(out);
      q.produceAndConsume(out, Time.SYSTEM);
      out.println(q.tryLines(scriptsPrefix(home)));
      if (exit) {
        return 0;
      }
      stopped.await();
      return 0;
    }

    /** {@code preferred} when it is free, else 0 (the operating system picks), said clearly. */
    private static int choosePort(String who, int preferred, PrintStream out) {
      if (preferred == 0 || ClusterSupervisor.portFree(preferred)) {
        return preferred;
      }
      out.printf("Port %d is in use: %s gets a free port instead.%n", preferred, who);
      return 0;
    }

    /** How to call the scripts from the current directory: {@code scripts/} or an absolute path. */
    private static String scriptsPrefix(Path home) {
      Path bin = Path.of(System.getProperty("brook.bin", home.resolve("scripts").toString()));
      Path cwd = Path.of("").toAbsolutePath();
      Path abs = bin.toAbsolutePath().normalize();
      return (abs.startsWith(cwd) ? cwd.relativize(abs) : abs) + "/";
    }
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          System.err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        });
    int code = cl.execute(args);
    System.exit(code);
  }
}
