package io.brook.client.tools;

import io.brook.client.common.PartitionInfo;
import io.brook.client.common.serialization.ByteArrayDeserializer;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRebalanceListener;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.common.TopicPartition;
import java.io.PrintStream;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * brook-consumer-perf-test.sh: Kafka 3.9's ConsumerPerformance with the Brook consumer. With {@code
 * --group} (or group.id in --consumer.config) it subscribes and lets the group assign partitions,
 * reporting the time spent joining as rebalance.time.ms, as Kafka does; without a group it assigns
 * itself every partition of the topic from the beginning (or the end with --from-latest). Same
 * header and result line as Kafka.
 */
public final class ConsumerPerformance {
  private ConsumerPerformance() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the tool, printing its report to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out) {
    return ToolArgs.run("ConsumerPerformance", ToolArgs.verbose(args), () -> execute(args, out));
  }

  static final String HEADER =
      "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,"
          + " rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
  static final String DETAILED_HEADER =
      "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,"
          + " rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

  /** Parses the command line (Kafka's flags). */
  static ToolArgs parse(String[] argv) {
    return new ToolArgs(
        argv,
        Set.of(
            "--from-latest",
            "--show-detailed-stats",
            "--hide-header",
            "--print-metrics",
            "--help",
            "--verbose"),
        Set.of(
            "--bootstrap-server",
            "--broker-list",
            "--topic",
            "--messages",
            "--timeout",
            "--fetch-size",
            "--reporting-interval",
            "--consumer.config",
            "--group",
            "--date-format",
            "--socket-buffer-size",
            "--num-fetch-threads",
            "--threads"),
        Set.of());
  }

  /**
   * The consumer's configuration, as Kafka's tool builds it: {@code --consumer.config}, then {@code
   * --bootstrap-server}, {@code --fetch-size} as the per-partition limit ({@code
   * max.partition.fetch.bytes}; {@code fetch.max.bytes} keeps its default), byte-array
   * deserializers, {@code auto.offset.reset} and {@code --group}.
   */
  static Properties consumerProps(ToolArgs a) {
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--consumer.config"), props);
    String bootstrap = a.get("--bootstrap-server", a.get("--broker-list"));
    if (bootstrap != null) {
      props.put("bootstrap.servers", bootstrap);
    }
    if (!props.containsKey("bootstrap.servers")) {
      throw new ToolArgs.UsageException("Missing required argument \"[bootstrap-server]\"");
    }
    props.put("max.partition.fetch.bytes", a.get("--fetch-size", "" + (1024 * 1024)));
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    props.put("auto.offset.reset", a.has("--from-latest") ? "latest" : "earliest");
    String groupId = a.get("--group", props.getProperty("group.id"));
    props.remove("group.id");
    if (groupId != null) {
      props.put("group.id", groupId);
    }
    return props;
  }

  private static int execute(String[] argv, PrintStream out) throws Exception {
    ToolArgs a = parse(argv);
    if (a.has("--help")) {
      out.println(
          "usage: brook-consumer-perf-test.sh --bootstrap-server B --topic T --messages N"
              + " [--timeout MS] [--fetch-size BYTES] [--from-latest] [--show-detailed-stats]"
              + " [--reporting-interval MS] [--hide-header] [--group G] [--consumer.config FILE]");
      return 0;
    }
    String topic = a.required("--topic");
    long messages = a.getLong("--messages", -1);
    if (messages < 0) {
      throw new ToolArgs.UsageException("Missing required argument \"[messages]\"");
    }
    long timeout = a.getLong("--timeout", 10000);
    long reportingInterval = a.getLong("--reporting-interval", 5000);
    if (reportingInterval <= 0) {
      throw new ToolArgs.UsageException("Reporting interval must be greater than 0.");
    }
    boolean detailed = a.has("--show-detailed-stats");
    SimpleDateFormat dateFormat =
        new SimpleDateFormat(a.get("--date-format", "yyyy-MM-dd HH:mm:ss:SSS"));
    Properties props = consumerProps(a);
    String groupId = props.getProperty("group.id");

    long totalMessagesRead = 0;
    long totalBytesRead = 0;
    // Written by the rebalance listener, which runs inside poll() on this thread.
    long[] joinTimeMs = {0};
    long[] joinStartMs = {0};
    // Join time since the last detailed report (Kafka's joinTimeMsInSingleRound).
    long[] joinTimeMsInSingleRound = {0};
    if (!a.has("--hide-header")) {
      out.println(detailed ? DETAILED_HEADER : HEADER);
    }
    long startMs;
    long endMs;
    try (BrookConsumer<byte[], byte[]> consumer = new BrookConsumer<>(props)) {
      if (groupId != null) {
        // Kafka's way: subscribe and count the time spent joining (from a revocation, or the
        // start, to the next assignment) as rebalance time.
        startMs = System.currentTimeMillis();
        joinStartMs[0] = startMs;
        consumer.subscribe(
            List.of(topic),
            new ConsumerRebalanceListener() {
              @Override
              public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                joinStartMs[0] = System.currentTimeMillis();
              }

              @Override
              public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                long joined = System.currentTimeMillis() - joinStartMs[0];
                joinTimeMs[0] += joined;
                joinTimeMsInSingleRound[0] += joined;
              }
            });
      } else {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
          tps.add(new TopicPartition(p.topic(), p.partition()));
        }
        if (tps.isEmpty()) {
          throw new ToolArgs.UsageException(
              "Topic " + topic + " does not exist or has no partitions");
        }
        consumer.assign(tps);
        if (a.has("--from-latest")) {
          consumer.seekToEnd(tps);
        } else {
          consumer.seekToBeginning(tps);
        }
        startMs = System.currentTimeMillis();
      }
      long lastReportTime = startMs;
      long lastConsumedTime = startMs;
      long currentTimeMillis = startMs;
      long lastMessagesRead = 0;
      long lastBytesRead = 0;
      while (totalMessagesRead < messages && currentTimeMillis - lastConsumedTime <= timeout) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        currentTimeMillis = System.currentTimeMillis();
        if (!records.isEmpty()) {
          lastConsumedTime = currentTimeMillis;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          totalMessagesRead++;
          if (r.key() != null) {
            totalBytesRead += r.key().length;
          }
          if (r.value() != null) {
            totalBytesRead += r.value().length;
          }
          if (currentTimeMillis - lastReportTime >= reportingInterval) {
            if (detailed) {
              printConsumerProgress(
                  0,
                  totalBytesRead,
                  lastBytesRead,
                  totalMessagesRead,
                  lastMessagesRead,
                  lastReportTime,
                  currentTimeMillis,
                  dateFormat,
                  joinTimeMsInSingleRound[0],
                  out);
              joinTimeMsInSingleRound[0] = 0;
            }
            lastReportTime = currentTimeMillis;
            lastMessagesRead = totalMessagesRead;
            lastBytesRead = totalBytesRead;
          }
        }
      }
      if (totalMessagesRead < messages) {
        out.printf(
            "WARNING: Exiting before consuming the expected number of messages: timeout (%d ms)"
                + " exceeded. You can use the --timeout option to increase the timeout.%n",
            timeout);
      }
      endMs = System.currentTimeMillis();
    }
    if (a.has("--print-metrics")) {
      out.println("Metrics are not available yet in Brook's consumer.");
    }
    if (!detailed) {
      out.println(
          resultLine(dateFormat, startMs, endMs, totalBytesRead, totalMessagesRead, joinTimeMs[0]));
    }
    return 0;
  }

  /** Kafka 3.9's result line. */
  static String resultLine(
      SimpleDateFormat dateFormat,
      long startMs,
      long endMs,
      long totalBytesRead,
      long totalMessagesRead,
      long joinTimeMs) {
    double elapsedSec = (endMs - startMs) / 1_000.0;
    long fetchTimeInMs = (endMs - startMs) - joinTimeMs;
    double totalMbRead = (totalBytesRead * 1.0) / (1024 * 1024);
    return String.format(
        "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f",
        dateFormat.format(startMs),
        dateFormat.format(endMs),
        totalMbRead,
        totalMbRead / elapsedSec,
        totalMessagesRead,
        totalMessagesRead / elapsedSec,
        joinTimeMs,
        fetchTimeInMs,
        totalMbRead / (fetchTimeInMs / 1000.0),
        totalMessagesRead / (fetchTimeInMs / 1000.0));
  }

  private static void printConsumerProgress(
      int id,
      long bytesRead,
      long lastBytesRead,
      long messagesRead,
      long lastMessagesRead,
      long startMs,
      long endMs,
      SimpleDateFormat dateFormat,
      long joinTimeMsInSingleRound,
      PrintStream out) {
    double elapsedMs = endMs - startMs;
    double totalMbRead = (bytesRead * 1.0) / (1024 * 1024);
    double intervalMbRead = ((bytesRead - lastBytesRead) * 1.0) / (1024 * 1024);
    double intervalMbPerSec = 1000.0 * intervalMbRead / elapsedMs;
    double intervalMessagesPerSec = ((messagesRead - lastMessagesRead) / elapsedMs) * 1000.0;
    long fetchTimeMs = endMs - startMs - joinTimeMsInSingleRound;
    double fetchMbPerSec = fetchTimeMs <= 0 ? 0.0 : 1000.0 * intervalMbRead / fetchTimeMs;
    double fetchMsgPerSec =
        fetchTimeMs <= 0 ? 0.0 : 1000.0 * (messagesRead - lastMessagesRead) / fetchTimeMs;
    out.printf(
        "%s, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f%n",
        dateFormat.format(endMs),
        id,
        totalMbRead,
        intervalMbPerSec,
        messagesRead,
        intervalMessagesPerSec,
        joinTimeMsInSingleRound,
        fetchTimeMs,
        fetchMbPerSec,
        fetchMsgPerSec);
  }
}
