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
import java.util.regex.Pattern;

/**
 * brook-console-consumer.sh: prints records of a topic, Kafka's flags and formatter properties;
 * "Processed a total of N messages" on standard error. With {@code --group} (or {@code group.id} in
 * the consumer properties) it subscribes to the topic (or the {@code --include} pattern) and lets
 * the group assign partitions, committing as the consumer's auto commit does; without a group it
 * assigns itself every partition of the topic (or {@code --partition}).
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
                "--include",
                "--isolation-level",
                "--formatter"),
            Set.of("--property", "--consumer-property", "--formatter-config"));
    if (a.has("--help")) {
      out.println(
          "usage: brook-console-consumer.sh --bootstrap-server B (--topic T | --include REGEX)"
              + " [--group G] [--from-beginning] [--partition P [--offset O|earliest|latest]]"
              + " [--max-messages N] [--timeout-ms MS] [--property print.key=true ...]"
              + " [--consumer-property k=v ...] [--consumer.config FILE]\n"
              + "With --group (or group.id in the consumer properties) the consumer joins the"
              + " group, which assigns partitions and keeps committed offsets; --from-beginning"
              + " then applies only when the group has no committed offset. Without a group it"
              + " reads every partition of the topic (or --partition) itself.");
      return 0;
    }
    String topic = a.get("--topic");
    String include = a.get("--include");
    if ((topic == null) == (include == null)) {
      throw new ToolArgs.UsageException("Exactly one of include/topic is required.");
    }
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--consumer.config"), props);
    Properties extra = new Properties();
    ToolArgs.putKeyValues(a.all("--consumer-property"), extra, "--consumer-property");
    String groupId = groupId(a.get("--group"), props, extra);
    props.putAll(extra);
    props.remove("group.id");
    if (groupId != null) {
      props.put("group.id", groupId);
    }
    props.put("bootstrap.servers", a.required("--bootstrap-server"));
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    if (a.get("--isolation-level") != null) {
      props.put("isolation.level", a.get("--isolation-level"));
    }
    if (groupId != null && a.get("--partition") != null) {
      throw new ToolArgs.UsageException(
          "Options group and partition cannot be specified together.");
    }
    if (include != null && groupId == null) {
      throw new ToolArgs.UsageException(
          "--include needs a consumer group (--group G): without one the console consumer assigns"
              + " the partitions of --topic itself");
    }
    if (groupId != null) {
      String reset = props.getProperty("auto.offset.reset");
      if (a.has("--from-beginning") && reset != null && !reset.equals("earliest")) {
        throw new ToolArgs.UsageException(
            "Can't simultaneously specify --from-beginning and 'auto.offset.reset=" + reset + "'");
      }
      if (reset == null) {
        props.put("auto.offset.reset", a.has("--from-beginning") ? "earliest" : "latest");
      }
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
      if (groupId != null) {
        // The group assigns partitions; positions come from its committed offsets, else
        // auto.offset.reset (earliest with --from-beginning).
        if (include != null) {
          consumer.subscribe(Pattern.compile(include));
        } else {
          consumer.subscribe(List.of(topic));
        }
        processed = printRecords(consumer, formatter, maxMessages, timeoutMs, out);
        return 0;
      }
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
      processed = printRecords(consumer, formatter, maxMessages, timeoutMs, out);
    } finally {
      out.flush();
      System.err.println("Processed a total of " + processed + " messages");
    }
    return 0;
  }

  /**
   * Prints records until {@code maxMessages} (negative: no limit) or {@code timeoutMs} without a
   * record (negative: no limit); returns how many were printed.
   */
  private static long printRecords(
      BrookConsumer<byte[], byte[]> consumer,
      Formatter formatter,
      long maxMessages,
      long timeoutMs,
      PrintStream out) {
    long processed = 0;
    long lastRecordMs = System.currentTimeMillis();
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
          break;
        }
      }
      out.flush();
    }
    return processed;
  }

  /**
   * The group of --group, --consumer.config and --consumer-property (Kafka's rule: where given in
   * several places they must agree), or null for none.
   */
  static String groupId(String flag, Properties fromFile, Properties fromProperties) {
    Set<String> ids = new java.util.LinkedHashSet<>();
    if (flag != null) {
      ids.add(flag);
    }
    if (fromFile.getProperty("group.id") != null) {
      ids.add(fromFile.getProperty("group.id"));
    }
    if (fromProperties.getProperty("group.id") != null) {
      ids.add(fromProperties.getProperty("group.id"));
    }
    if (ids.size() > 1) {
      throw new ToolArgs.UsageException(
          "The group ids provided in different places (directly using '--group', via"
              + " '--consumer-property', or via '--consumer.config') do not match. Detected group"
              + " ids: "
              + String.join(", ", ids.stream().map(g -> "'" + g + "'").toList()));
    }
    return ids.isEmpty() ? null : ids.iterator().next();
  }
}
