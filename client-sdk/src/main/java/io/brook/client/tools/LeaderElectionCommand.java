package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.ElectionType;
import io.brook.client.common.errors.ElectionNotNeededException;
import io.brook.client.tools.ToolArgs.UsageException;
import io.brook.common.TopicPartition;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * brook-leader-election.sh: Kafka's kafka-leader-election.sh over the Brook admin client. {@code
 * --election-type preferred|unclean} with one of {@code --all-topic-partitions}, {@code --topic T
 * --partition P} or {@code --path-to-json-file F} ({@code {"partitions":[{"topic":"t",
 * "partition":1}]}}). Prints the elected partitions, those that already had the right leader, and
 * one line per failure; exits 1 when any partition failed (other than "election not needed").
 */
public final class LeaderElectionCommand {
  static final String USAGE =
      String.join(
          "\n",
          "This tool elects the preferred replica (or, unclean, any live replica of a partition",
          "without a leader) as the leader of partitions.",
          "",
          "Usage: brook-leader-election.sh --bootstrap-server HOST:PORT",
          "         --election-type preferred|unclean",
          "         (--all-topic-partitions | --topic T --partition P | --path-to-json-file F)",
          "Options:",
          "  --path-to-json-file F  partitions as {\"partitions\":[{\"topic\":\"t\",\"partition\":1}]}",
          "  --admin.config F       admin client properties",
          "  --timeout MS           how long to wait for the answer (default 30000)",
          "  --help");

  private LeaderElectionCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, Admin::create));
  }

  static int run(
      String[] args, PrintStream out, PrintStream err, Function<Properties, Admin> admins) {
    return ToolArgs.run(err, ToolArgs.verbose(args), () -> execute(args, out, err, admins));
  }

  private static int execute(
      String[] args, PrintStream out, PrintStream err, Function<Properties, Admin> admins)
      throws Exception {
    ToolArgs a =
        new ToolArgs(
            args,
            Set.of("--all-topic-partitions", "--help", "--verbose"),
            Set.of(
                "--bootstrap-server",
                "--election-type",
                "--topic",
                "--partition",
                "--path-to-json-file",
                "--admin.config",
                "--timeout"),
            Set.of());
    if (a.has("--help")) {
      out.println(USAGE);
      return 0;
    }
    ElectionType type = check(a);
    Set<TopicPartition> partitions = partitions(a);
    long timeoutMs = a.getLong("--timeout", 30_000);
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--admin.config"), props);
    props.put("bootstrap.servers", a.required("--bootstrap-server"));
    props.putIfAbsent("default.api.timeout.ms", Long.toString(timeoutMs));
    Map<TopicPartition, Optional<Throwable>> results;
    try (Admin admin = admins.apply(props)) {
      results =
          admin
              .electLeaders(type, partitions)
              .partitions()
              .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
    }
    return print(type, results, out, err);
  }

  /** Checks the flags; answers the election type. */
  static ElectionType check(ToolArgs a) {
    a.required("--bootstrap-server");
    String t = a.get("--election-type");
    if (t == null) {
      throw new UsageException("Missing required option(s) [election-type]");
    }
    ElectionType type;
    try {
      type = ElectionType.valueOf(t.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "Invalid --election-type \"" + t + "\": expected preferred or unclean");
    }
    int scopes =
        (a.has("--all-topic-partitions") ? 1 : 0)
            + (a.has("--topic") || a.has("--partition") ? 1 : 0)
            + (a.has("--path-to-json-file") ? 1 : 0);
    if (scopes != 1) {
      throw new UsageException(
          "One and only one of the following options is required: --all-topic-partitions,"
              + " --topic, --path-to-json-file");
    }
    if (a.has("--topic") != a.has("--partition")) {
      throw new UsageException(
          a.has("--topic")
              ? "Missing required option(s) [partition]"
              : "Missing required option(s) [topic]");
    }
    return type;
  }

  /** The partitions named by the flags; null for --all-topic-partitions. */
  static Set<TopicPartition> partitions(ToolArgs a) {
    if (a.has("--all-topic-partitions")) {
      return null;
    }
    if (a.has("--topic")) {
      int p = a.getInt("--partition", -1);
      if (p < 0) {
        throw new UsageException("Invalid --partition " + p + ": must be 0 or more");
      }
      return Set.of(new TopicPartition(a.get("--topic"), p));
    }
    return ReassignmentJson.parseElectionPartitions(
        ReassignPartitionsCommand.read(a.get("--path-to-json-file")));
  }

  /** Kafka's output; answers the exit code. */
  static int print(
      ElectionType type,
      Map<TopicPartition, Optional<Throwable>> results,
      PrintStream out,
      PrintStream err) {
    Set<TopicPartition> elected = new TreeSet<>();
    Set<TopicPartition> notNeeded = new TreeSet<>();
    Map<TopicPartition, Throwable> failed = new TreeMap<>();
    results.forEach(
        (tp, e) -> {
          if (e.isEmpty()) {
            elected.add(tp);
          } else if (e.get() instanceof ElectionNotNeededException) {
            notNeeded.add(tp);
          } else {
            failed.put(tp, e.get());
          }
        });
    if (!elected.isEmpty()) {
      out.println(
          "Successfully completed leader election (" + type + ") for partitions " + join(elected));
    }
    if (!notNeeded.isEmpty()) {
      out.println("Valid replica already elected for partitions " + join(notNeeded));
    }
    // Kafka prints these on standard output, with the exception's class name
    failed.forEach(
        (tp, e) ->
            out.println(
                "Error completing leader election (" + type + ") for partition: " + tp + ": " + e));
    if (!failed.isEmpty()) {
      err.println(failed.size() + " replica(s) could not be elected");
      return 1;
    }
    return 0;
  }

  private static String join(Set<TopicPartition> partitions) {
    List<String> l = partitions.stream().map(TopicPartition::toString).toList();
    return l.stream().collect(Collectors.joining(", "));
  }
}
