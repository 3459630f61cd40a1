package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AlterPartitionReassignmentsOptions;
import io.brook.client.admin.NewPartitionReassignment;
import io.brook.client.admin.PartitionReassignment;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.tools.ToolArgs.UsageException;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * brook-reassign-partitions.sh: Kafka's kafka-reassign-partitions.sh flags, JSON and output over
 * the Brook admin client. {@code --generate} proposes a balanced (rack-aware when every broker has
 * a rack) placement of the topics on the given brokers; {@code --execute} validates the whole plan
 * with the controller first (a refused plan prints the controller's errors and changes nothing,
 * throttle included), then sets the throttle if asked and starts the moves; {@code --verify}
 * reports each partition and removes the throttle once nothing is moving; {@code --cancel} and
 * {@code --list} as Kafka's. Option checks are in {@link ReassignPartitionsOptions}.
 */
public final class ReassignPartitionsCommand {
  private ReassignPartitionsCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, Admin::create, new Random()));
  }

  /** For tests: the streams, how to create the admin client, and the randomness of --generate. */
  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<Properties, Admin> admins,
      Random random) {
    return ToolArgs.run(
        err,
        ToolArgs.verbose(args),
        () -> new Execution(ReassignPartitionsOptions.parse(args), out, err, random).run(admins));
  }

  /** One run of the command. Not thread-safe. */
  private static final class Execution {
    private final ToolArgs a;
    private final PrintStream out;
    private final PrintStream err;
    private final Random random;
    private final long timeoutMs;
    private Admin admin;

    Execution(ToolArgs a, PrintStream out, PrintStream err, Random random) {
      this.a = a;
      this.out = out;
      this.err = err;
      this.random = random;
      this.timeoutMs = a.getLong("--timeout", 30_000);
    }

    int run(Function<Properties, Admin> admins) throws Exception {
      if (a.has("--help")) {
        out.println(ReassignPartitionsOptions.USAGE);
        return 0;
      }
      String action = ReassignPartitionsOptions.check(a);
      // Read the input files before connecting: a bad file changes nothing and needs no cluster.
      Map<TopicPartition, List<Integer>> plan =
          a.has("--reassignment-json-file")
              ? ReassignmentJson.parseReassignment(read(a.get("--reassignment-json-file")))
              : null;
      Properties props = new Properties();
      ToolArgs.loadFile(a.get("--command-config"), props);
      props.put("bootstrap.servers", a.required("--bootstrap-server"));
      props.putIfAbsent("default.api.timeout.ms", Long.toString(timeoutMs));
      try (Admin created = admins.apply(props)) {
        this.admin = created;
        return switch (action) {
          case "--generate" -> generate();
          case "--execute" -> execute(plan);
          case "--verify" -> verify(plan);
          case "--cancel" -> cancel(plan);
          default -> list();
        };
      }
    }

    private <T> T get(CompletableFuture<T> f) throws Exception {
      return f.get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ generate

    private int generate() throws Exception {
      List<String> topics =
          ReassignmentJson.parseTopicsToMove(read(a.get("--topics-to-move-json-file")));
      List<Integer> brokers = ReassignPartitionsOptions.brokerList(a.get("--broker-list"));
      Map<Integer, String> racks = new TreeMap<>();
      Map<Integer, Node> cluster = new TreeMap<>();
      get(admin.describeCluster().nodes()).forEach(n -> cluster.put(n.id(), n));
      List<Integer> unknown = brokers.stream().filter(b -> !cluster.containsKey(b)).toList();
      if (!unknown.isEmpty()) {
        throw new UsageException(
            "Unknown broker id(s) in --broker-list: "
                + ReassignmentThrottle.brokerList(unknown)
                + " (brokers in the cluster: "
                + ReassignmentThrottle.brokerList(cluster.keySet())
                + ")");
      }
      for (int b : brokers) {
        String rack = cluster.get(b).rack();
        racks.put(b, rack == null ? "" : rack);
      }
      boolean anyRack = racks.values().stream().anyMatch(r -> !r.isEmpty());
      boolean rackAware = anyRack && !a.has("--disable-rack-aware");
      Map<TopicPartition, List<Integer>> current = currentAssignment(topics, true);
      ReplicaPlacement placement = new ReplicaPlacement(random);
      Map<TopicPartition, List<Integer>> proposed = new TreeMap<>();
      for (String t : topics) {
        List<TopicPartition> parts =
            current.keySet().stream().filter(tp -> tp.topic().equals(t)).sorted().toList();
        int rf = current.get(parts.get(0)).size();
        placement
            .assign(parts.size(), rf, racks, rackAware)
            .forEach((p, rs) -> proposed.put(new TopicPartition(t, p), rs));
      }
      out.println("Current partition replica assignment");
      out.println(ReassignmentJson.format(current));
      out.println();
      out.println("Proposed partition reassignment configuration");
      out.println(ReassignmentJson.format(proposed));
      return 0;
    }

    /**
     * The replicas of every partition of {@code topics}; an unknown topic fails when {@code
     * required}, otherwise it is left out (the controller reports it).
     */
    private Map<TopicPartition, List<Integer>> currentAssignment(
        Collection<String> topics, boolean required) throws Exception {
      Map<TopicPartition, List<Integer>> out = new TreeMap<>();
      Map<String, CompletableFuture<TopicDescription>> fs =
          admin.describeTopics(new TreeSet<>(topics)).topicNameValues();
      for (Map.Entry<String, CompletableFuture<TopicDescription>> e : fs.entrySet()) {
        TopicDescription d;
        try {
          d = get(e.getValue());
        } catch (ExecutionException x) {
          if (x.getCause() instanceof UnknownTopicOrPartitionException && required) {
            throw new UsageException("Topic " + e.getKey() + " not found");
          } else if (x.getCause() instanceof UnknownTopicOrPartitionException) {
            continue;
          }
          throw x;
        }
        for (TopicPartitionInfo p : d.partitions()) {
          out.put(
              new TopicPartition(e.getKey(), p.partition()),
              p.replicas().stream().map(Node::id).toList());
        }
      }
      return out;
    }

    // ------------------------------------------------------------------ execute

    private int execute(Map<TopicPartition, List<Integer>> plan) throws Exception {
      if (!a.has("--additional")
          && !get(admin.listPartitionReassignments().reassignments()).isEmpty()) {
        throw new UsageException(
            "Cannot execute because there is an existing partition assignment. Use --additional"
                + " to override this and create a new partition assignment in addition to the"
                + " existing one.");
      }
      Set<String> topics = plan.keySet().stream().map(TopicPartition::topic).collect(toSorted());
      Map<TopicPartition, List<Integer>> all = currentAssignment(topics, false);
      Map<TopicPartition, List<Integer>> current = new TreeMap<>();
      plan.keySet().stream().filter(all::containsKey).forEach(tp -> current.put(tp, all.get(tp)));
      out.println("Current partition replica assignment");
      out.println();
      out.println(ReassignmentJson.format(current));
      out.println();
      out.println("Save this to use as the --reassignment-json-file option during rollback");

      Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new LinkedHashMap<>();
      plan.forEach((tp, rs) -> moves.put(tp, Optional.of(new NewPartitionReassignment(rs))));
      // The whole plan is validated first, so a refused plan leaves no throttle behind.
      if (!report("Error reassigning partition(s):", alter(moves, true))) {
        return 1;
      }
      if (a.has("--throttle")) {
        long rate = ReassignPartitionsOptions.throttle(a.get("--throttle"));
        ReassignmentThrottle.apply(
            admin,
            ReassignmentThrottle.plan(current, plan),
            rate,
            a.has("--additional"),
            timeoutMs);
        out.println(
            "Warning: You must run --verify periodically, until the reassignment completes, to"
                + " ensure the throttle is removed.");
        out.println("The inter-broker throttle limit was set to " + rate + " B/s");
      }
      if (!report("Error reassigning partition(s):", alter(moves, false))) {
        return 1;
      }
      out.println(
          "Successfully started partition reassignments for "
              + ReassignmentJson.join(plan.keySet()));
      return 0;
    }

    /** Partition -> error message (empty when accepted). */
    private Map<TopicPartition, String> alter(
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves, boolean validateOnly)
        throws Exception {
      Map<TopicPartition, CompletableFuture<Void>> fs =
          admin
              .alterPartitionReassignments(
                  moves, new AlterPartitionReassignmentsOptions().validateOnly(validateOnly))
              .values();
      Map<TopicPartition, String> errors = new TreeMap<>();
      for (Map.Entry<TopicPartition, CompletableFuture<Void>> e : fs.entrySet()) {
        try {
          get(e.getValue());
        } catch (ExecutionException x) {
          errors.put(e.getKey(), x.getCause().getMessage());
        }
      }
      return errors;
    }

    /** Prints the errors (if any) under {@code title}; true when there were none. */
    private boolean report(String title, Map<TopicPartition, String> errors) {
      if (errors.isEmpty()) {
        return true;
      }
      err.println(title);
      errors.forEach((tp, m) -> err.println(tp + ": " + m));
      return false;
    }

    // ------------------------------------------------------------------ verify / cancel / list

    private int verify(Map<TopicPartition, List<Integer>> plan) throws Exception {
      Map<TopicPartition, PartitionReassignment> ongoing =
          get(admin.listPartitionReassignments(plan.keySet()).reassignments());
      Set<String> topics = plan.keySet().stream().map(TopicPartition::topic).collect(toSorted());
      Map<TopicPartition, List<Integer>> current = currentAssignment(topics, false);
      out.println("Status of partition reassignment:");
      boolean moving = false;
      for (Map.Entry<TopicPartition, List<Integer>> e : new TreeMap<>(plan).entrySet()) {
        TopicPartition tp = e.getKey();
        List<Integer> now = current.get(tp);
        if (ongoing.containsKey(tp)) {
          moving = true;
          out.println("Reassignment of partition " + tp + " is still in progress.");
        } else if (now == null) {
          out.println("Reassignment of partition " + tp + " failed: the partition does not exist.");
        } else if (now.equals(e.getValue())) {
          out.println("Reassignment of partition " + tp + " is completed.");
        } else {
          out.println(
              "There is no active reassignment of partition "
                  + tp
                  + ", but replica set is "
                  + ids(now)
                  + " rather than "
                  + ids(e.getValue())
                  + ".");
        }
      }
      if (!moving && !a.has("--preserve-throttles")) {
        clearThrottles(topics);
      }
      return 0;
    }

    private int cancel(Map<TopicPartition, List<Integer>> plan) throws Exception {
      Map<TopicPartition, PartitionReassignment> ongoing =
          get(admin.listPartitionReassignments(plan.keySet()).reassignments());
      Set<String> topics = plan.keySet().stream().map(TopicPartition::topic).collect(toSorted());
      if (ongoing.isEmpty()) {
        out.println("None of the specified partition reassignments are active.");
      } else {
        Map<TopicPartition, Optional<NewPartitionReassignment>> cancels = new TreeMap<>();
        ongoing.keySet().forEach(tp -> cancels.put(tp, Optional.empty()));
        if (!report("Error cancelling partition reassignment(s):", alter(cancels, false))) {
          return 1;
        }
        out.println(
            "Successfully cancelled partition reassignments for: "
                + ReassignmentJson.join(cancels.keySet()));
      }
      if (!a.has("--preserve-throttles")) {
        clearThrottles(topics);
      }
      return 0;
    }

    /**
     * Removes the topic throttles of {@code topics}, and the broker throttles of every broker when
     * no reassignment is left in the cluster (another one may still need them).
     */
    private void clearThrottles(Set<String> topics) throws Exception {
      if (get(admin.listPartitionReassignments().reassignments()).isEmpty()) {
        List<Integer> brokers = new ArrayList<>();
        get(admin.describeCluster().nodes()).forEach(n -> brokers.add(n.id()));
        out.println(
            "Clearing broker-level throttles on brokers "
                + ReassignmentThrottle.brokerList(brokers));
        ReassignmentThrottle.clearBrokers(admin, brokers, timeoutMs);
      }
      for (String t : topics) {
        out.println("Clearing topic-level throttles on topic " + t);
      }
      ReassignmentThrottle.clearTopics(admin, topics, timeoutMs);
    }

    private int list() throws Exception {
      Map<TopicPartition, PartitionReassignment> ongoing =
          new TreeMap<>(get(admin.listPartitionReassignments().reassignments()));
      if (ongoing.isEmpty()) {
        out.println("No partition reassignments found.");
        return 0;
      }
      out.println("Current partition reassignments:");
      ongoing.forEach((tp, r) -> out.println(listLine(tp, r)));
      return 0;
    }
  }

  /** Kafka's --list line: {@code t-0: replicas: 2,3,4,1. adding: 4. removing: 1.} */
  static String listLine(TopicPartition tp, PartitionReassignment r) {
    return tp
        + ": replicas: "
        + ids(r.replicas())
        + "."
        + (r.addingReplicas().isEmpty() ? "" : " adding: " + ids(r.addingReplicas()) + ".")
        + (r.removingReplicas().isEmpty() ? "" : " removing: " + ids(r.removingReplicas()) + ".");
  }

  static String ids(List<Integer> ids) {
    return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  private static java.util.stream.Collector<String, ?, TreeSet<String>> toSorted() {
    return Collectors.toCollection(TreeSet::new);
  }

  static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new UsageException("Cannot read " + file + ": " + e);
    }
  }
}
