package io.brook.client.tools;

import io.brook.client.common.PartitionInfo;
import io.brook.client.common.serialization.ByteArrayDeserializer;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.common.Header;
import io.brook.common.TopicPartition;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * brook-console-consumer.sh: prints records of a topic (all partitions, or one with --partition),
 * Kafka's flags and formatter properties; "Processed a total of N messages" on standard error.
 */
public final class ConsoleConsumer {
  private ConsoleConsumer() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    return ToolArgs.run("ConsoleConsumer", ToolArgs.verbose(args), () -> execute(args, out));
  }

  /** Kafka's DefaultMessageFormatter properties. */
  static final class Formatter {
    final boolean printKey;
    final boolean printValue;
    final boolean printTimestamp;
    final boolean printPartition;
    final boolean printOffset;
    final boolean printHeaders;
    final String keySeparator;
    final String lineSeparator;
    final String headersSeparator;

    Formatter(Properties p) {
      printKey = Boolean.parseBoolean(p.getProperty("print.key", "false"));
      printValue = Boolean.parseBoolean(p.getProperty("print.value", "true"));
      printTimestamp = Boolean.parseBoolean(p.getProperty("print.timestamp", "false"));
      printPartition = Boolean.parseBoolean(p.getProperty("print.partition", "false"));
      printOffset = Boolean.parseBoolean(p.getProperty("print.offset", "false"));
      printHeaders = Boolean.parseBoolean(p.getProperty("print.headers", "false"));
      keySeparator = unescape(p.getProperty("key.separator", "\t"));
      lineSeparator = unescape(p.getProperty("line.separator", "\n"));
      headersSeparator = unescape(p.getProperty("headers.separator", ","));
    }

    private static String unescape(String s) {
      return s.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r");
    }

    String format(ConsumerRecord<byte[], byte[]> r) {
      StringBuilder b = new StringBuilder();
      if (printTimestamp) {
        b.append(r.timestampType().configName)
            .append(':')
            .append(r.timestamp())
            .append(keySeparator);
      }
      if (printPartition) {
        b.append("Partition:").append(r.partition()).append(keySeparator);
      }
      if (printOffset) {
        b.append("Offset:").append(r.offset()).append(keySeparator);
      }
      if (printHeaders) {
        if (r.headers().isEmpty()) {
          b.append("NO_HEADERS");
        } else {
          boolean first = true;
          for (Header h : r.headers()) {
            if (!first) {
              b.append(headersSeparator);
            }
            first = false;
            b.append(h.key()).append(':').append(h.value() == null ? "null" : str(h.value()));
          }
        }
        b.append(keySeparator);
      }
      if (printKey) {
        b.append(r.key() == null ? "null" : str(r.key())).append(keySeparator);
      }
      if (printValue) {
        b.append(r.value() == null ? "null" : str(r.value()));
      } else if (b.length() >= keySeparator.length()) {
        b.setLength(b.length() - keySeparator.length());
      }
      return b.append(lineSeparator).toString();
    }

    private static String str(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static int execute(String[] argv, PrintStream out) throws Exception {
    ToolArgs a =
        new ToolArgs(
            argv,
            Set.of("--from-beginning", "--help", "--verbose", "--skip-message-on-error"),
            Set.of(
                "--bootstrap-server",
                "--topic",
                "--partition",
                "--offset",
                "--max-messages",
                "--timeout-ms",
                "--consumer.config",
                "--group",
                "--isolation-level",
                "--formatter"),
            Set.of("--property", "--consumer-property", "--formatter-config"));
    if (a.has("--help")) {
      out.println(
          "usage: brook-console-consumer.sh --bootstrap-server B --topic T"
              + " [--from-beginning] [--partition P [--offset O|earliest|latest]] [--max-messages N]"
              + " [--timeout-ms MS] [--property print.key=true ...] [--consumer-property k=v]");
      return 0;
    }
    if (a.get("--group") != null) {
      throw new ToolArgs.UsageException(
          "--group: consumer groups are not supported yet; the console consumer assigns"
              + " partitions itself");
    }
    String topic = a.required("--topic");
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--consumer.config"), props);
    ToolArgs.putKeyValues(a.all("--consumer-property"), props, "--consumer-property");
    if (props.containsKey("group.id")) {
      throw new ToolArgs.UsageException(
          "group.id: consumer groups are not supported yet; use --partition or no group");
    }
    props.put("bootstrap.servers", a.required("--bootstrap-server"));
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    if (a.get("--isolation-level") != null) {
      props.put("isolation.level", a.get("--isolation-level"));
    }
    Integer partition = a.get("--partition") == null ? null : a.getInt("--partition", 0);
    String offset = a.get("--offset");
    if (offset != null && partition == null) {
      throw new ToolArgs.UsageException("The partition is required when offset is specified.");
    }
    if (offset != null && a.has("--from-beginning")) {
      throw new ToolArgs.UsageException(
          "Options from-beginning and offset cannot be specified together.");
    }
    long maxMessages = a.getLong("--max-messages", -1);
    long timeoutMs = a.getLong("--timeout-ms", -1);
    Properties fmtProps = new Properties();
    ToolArgs.putKeyValues(a.all("--property"), fmtProps, "--property");
    ToolArgs.putKeyValues(a.all("--formatter-config"), fmtProps, "--formatter-config");
    Formatter formatter = new Formatter(fmtProps);

    long processed = 0;
    try (BrookConsumer<byte[], byte[]> consumer = new BrookConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      if (partition != null) {
        tps.add(new TopicPartition(topic, partition));
      } else {
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
          tps.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      if (tps.isEmpty()) {
        throw new ToolArgs.UsageException("Topic " + topic + " does not exist");
      }
      consumer.assign(tps);
      if (offset == null) {
        if (a.has("--from-beginning")) {
          consumer.seekToBeginning(tps);
        } else {
          consumer.seekToEnd(tps);
        }
      } else if (offset.equals("earliest")) {
        consumer.seekToBeginning(tps);
      } else if (offset.equals("latest")) {
        consumer.seekToEnd(tps);
      } else {
        long o;
        try {
          o = Long.parseLong(offset);
        } catch (NumberFormatException e) {
          throw new ToolArgs.UsageException(
              "The provided offset value '"
                  + offset
                  + "' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
        }
        if (o < 0) {
          long end = consumer.endOffsets(tps).get(tps.get(0));
          o = Math.max(0, end + o);
        }
        consumer.seek(tps.get(0), o);
      }
      long lastRecordMs = System.currentTimeMillis();
      outer:
      while (maxMessages < 0 || processed < maxMessages) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        long now = System.currentTimeMillis();
        if (records.isEmpty()) {
          if (timeoutMs >= 0 && now - lastRecordMs >= timeoutMs) {
            break;
          }
          continue;
        }
        lastRecordMs = now;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.print(formatter.format(r));
          processed++;
          if (maxMessages >= 0 && processed >= maxMessages) {
            break outer;
          }
        }
        out.flush();
      }
    } finally {
      out.flush();
      System.err.println("Processed a total of " + processed + " messages");
    }
    return 0;
  }
}
