package io.brook.client.tools;

import io.brook.client.common.serialization.ByteArraySerializer;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * brook-console-producer.sh: one record per line of standard input, Kafka's flags. Exits 1 with a
 * line on standard error naming how many records failed and why when any could not be delivered.
 */
public final class ConsoleProducer {
  private ConsoleProducer() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in));
  }

  static int run(String[] args, InputStream in) {
    return ToolArgs.run("ConsoleProducer", ToolArgs.verbose(args), () -> execute(args, in));
  }

  /** How lines become records: Kafka's LineMessageReader properties. */
  static final class LineReader {
    final boolean parseKey;
    final String keySeparator;
    final boolean ignoreError;

    LineReader(Properties p) {
      parseKey = Boolean.parseBoolean(p.getProperty("parse.key", "false"));
      keySeparator = p.getProperty("key.separator", "\t");
      ignoreError = Boolean.parseBoolean(p.getProperty("ignore.error", "false"));
    }

    /** {key, value} of a line; key null unless parse.key. */
    String[] parse(String line, long lineNumber) {
      if (!parseKey) {
        return new String[] {null, line};
      }
      int i = line.indexOf(keySeparator);
      if (i < 0) {
        if (ignoreError) {
          return new String[] {null, line};
        }
        throw new ToolArgs.UsageException(
            "No key separator found on line number " + lineNumber + ": '" + line + "'");
      }
      return new String[] {line.substring(0, i), line.substring(i + keySeparator.length())};
    }
  }

  private static int execute(String[] argv, InputStream in) throws Exception {
    ToolArgs a =
        new ToolArgs(
            argv,
            Set.of("--sync", "--help", "--verbose"),
            Set.of(
                "--bootstrap-server",
                "--broker-list",
                "--topic",
                "--producer.config",
                "--request-required-acks",
                "--compression-codec",
                "--request-timeout-ms",
                "--timeout",
                "--batch-size",
                "--max-block-ms",
                "--message-send-max-retries",
                "--retry-backoff-ms"),
            Set.of("--property", "--producer-property", "--reader-config"));
    if (a.has("--help")) {
      System.out.println(
          "usage: brook-console-producer.sh --bootstrap-server B --topic T"
              + " [--property parse.key=true --property key.separator=:] [--producer-property k=v]"
              + " [--producer.config FILE] [--request-required-acks A] [--compression-codec C] [--sync]");
      return 0;
    }
    String topic = a.required("--topic");
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--producer.config"), props);
    ToolArgs.putKeyValues(a.all("--producer-property"), props, "--producer-property");
    String bootstrap = a.get("--bootstrap-server", a.get("--broker-list"));
    if (bootstrap == null) {
      throw new ToolArgs.UsageException("Missing required argument \"[bootstrap-server]\"");
    }
    props.put("bootstrap.servers", bootstrap);
    if (a.get("--request-required-acks") != null) {
      props.put("acks", a.get("--request-required-acks"));
    } else {
      props.putIfAbsent("acks", "-1");
    }
    if (a.get("--compression-codec") != null) {
      String c = a.get("--compression-codec");
      props.put("compression.type", c.isEmpty() ? "gzip" : c);
    }
    props.putIfAbsent("linger.ms", a.get("--timeout", "1000"));
    if (a.get("--request-timeout-ms") != null) {
      props.put("request.timeout.ms", a.get("--request-timeout-ms"));
    }
    if (a.get("--batch-size") != null) {
      props.put("batch.size", a.get("--batch-size"));
    }
    if (a.get("--max-block-ms") != null) {
      props.put("max.block.ms", a.get("--max-block-ms"));
    }
    if (a.get("--message-send-max-retries") != null) {
      props.put("retries", a.get("--message-send-max-retries"));
    }
    if (a.get("--retry-backoff-ms") != null) {
      props.put("retry.backoff.ms", a.get("--retry-backoff-ms"));
    }
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    Properties readerProps = new Properties();
    ToolArgs.putKeyValues(a.all("--property"), readerProps, "--property");
    ToolArgs.putKeyValues(a.all("--reader-config"), readerProps, "--reader-config");
    LineReader reader = new LineReader(readerProps);
    boolean sync = a.has("--sync");

    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    long sent = 0;
    RuntimeException parseError = null;
    try (BrookProducer<byte[], byte[]> producer = new BrookProducer<>(props);
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      long lineNumber = 0;
      while ((line = lines.readLine()) != null) {
        lineNumber++;
        String[] kv;
        try {
          kv = reader.parse(line, lineNumber);
        } catch (ToolArgs.UsageException e) {
          parseError = e;
          break;
        }
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(
                topic,
                kv[0] == null ? null : kv[0].getBytes(StandardCharsets.UTF_8),
                kv[1].getBytes(StandardCharsets.UTF_8));
        var f =
            producer.send(
                record,
                (md, e) -> {
                  if (e != null) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(
                        null, e.getClass().getSimpleName() + ": " + e.getMessage());
                  }
                });
        sent++;
        if (sync) {
          try {
            f.get();
          } catch (java.util.concurrent.ExecutionException ignored) {
            // counted by the callback
          }
        }
      }
      producer.flush();
    }
    if (parseError != null) {
      throw parseError;
    }
    if (failed.get() > 0) {
      System.err.println(
          "Error: "
              + failed.get()
              + " of "
              + sent
              + " records could not be delivered; first error: "
              + firstError.get());
      return 1;
    }
    return 0;
  }
}
