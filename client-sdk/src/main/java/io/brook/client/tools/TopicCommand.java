package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.Config;
import io.brook.client.admin.ConfigEntry;
import io.brook.client.admin.ConfigResource;
import io.brook.client.admin.ListTopicsOptions;
import io.brook.client.admin.NewPartitions;
import io.brook.client.admin.NewTopic;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import io.brook.client.common.errors.InvalidPartitionsException;
import io.brook.client.common.errors.TopicExistsException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** brook-topics.sh: Kafka's kafka-topics.sh flags and output over the Brook admin client. */
public final class TopicCommand {
  private TopicCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /**
   * The admin timeouts the tool uses unless --command-config sets them: a command line tool should
   * give up well before an operator does, so it does not wait the admin client's 60 s default.
   */
  static final String DEFAULT_TOOL_TIMEOUT_MS = "15000";

  /** Runs the tool: prints to {@code out} (errors to stderr) and returns the exit code. */
  public static int run(String[] args, PrintStream out) {
    return ToolArgs.run(
        "TopicCommand",
        "Error while executing topic command : ",
        ToolArgs.verbose(args),
        () -> execute(args, out));
  }

  private static int execute(String[] argv, PrintStream out) throws Exception {
    ToolArgs a =
        new ToolArgs(
            argv,
            Set.of(
                "--create",
                "--alter",
                "--list",
                "--describe",
                "--delete",
                "--if-not-exists",
                "--if-exists",
                "--exclude-internal",
                "--under-replicated-partitions",
                "--unavailable-partitions",
                "--under-min-isr-partitions",
                "--at-min-isr-partitions",
                "--help",
                "--verbose"),
            Set.of(
                "--bootstrap-server",
                "--topic",
                "--partitions",
                "--replication-factor",
                "--replica-assignment",
                "--config",
                "--command-config"),
            Set.of());
    if (a.has("--help")) {
      out.println(
          "usage: brook-topics.sh --bootstrap-server B --create|--alter|--list|--describe|--delete"
              + " [--topic T] [--partitions N] [--replication-factor R] [--replica-assignment 1:2,2:3]"
              + " [--config k=v ...] [--if-not-exists] [--if-exists] [--exclude-internal]"
              + " [--under-replicated-partitions | --unavailable-partitions |"
              + " --under-min-isr-partitions | --at-min-isr-partitions] [--command-config FILE]");
      return 0;
    }
    int actions = 0;
    for (String f : List.of("--create", "--alter", "--list", "--describe", "--delete")) {
      if (a.has(f)) {
        actions++;
      }
    }
    if (actions != 1) {
      throw new ToolArgs.UsageException(
          "Command must include exactly one action: --list, --describe, --create, --alter or --delete");
    }
    PartitionFilter filter = PartitionFilter.of(a);
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--command-config"), props);
    props.put("bootstrap.servers", a.required("--bootstrap-server"));
    props.putIfAbsent("default.api.timeout.ms", DEFAULT_TOOL_TIMEOUT_MS);
    props.putIfAbsent("request.timeout.ms", DEFAULT_TOOL_TIMEOUT_MS);
    try (Admin admin = Admin.create(props)) {
      if (a.has("--create")) {
        return create(admin, a, out);
      } else if (a.has("--alter")) {
        return alter(admin, a);
      } else if (a.has("--list")) {
        for (String t : matching(admin, a.get("--topic"), a.has("--exclude-internal"))) {
          out.println(t);
        }
        return 0;
      } else if (a.has("--describe")) {
        return describe(admin, a, filter, out);
      } else {
        return delete(admin, a);
      }
    }
  }

  private static int create(Admin admin, ToolArgs a, PrintStream out) throws Exception {
    String topic = a.required("--topic");
    Map<String, String> configs = new LinkedHashMap<>();
    for (String kv : a.all("--config")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new ToolArgs.UsageException(
            "Invalid topic config: all configs to be added must be in"
                + " the format \"key=val\".");
      }
      configs.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    NewTopic nt;
    if (a.get("--replica-assignment") != null) {
      if (a.get("--partitions") != null || a.get("--replication-factor") != null) {
        throw new ToolArgs.UsageException(
            "Option \"[replica-assignment]\" can't be used with"
                + " option \"[partitions]\" or \"[replication-factor]\"");
      }
      nt = new NewTopic(topic, parseReplicaAssignment(a.get("--replica-assignment")));
    } else {
      Optional<Integer> partitions =
          a.get("--partitions") == null
              ? Optional.empty()
              : Optional.of(a.getInt("--partitions", 0));
      Optional<Short> rf =
          a.get("--replication-factor") == null
              ? Optional.empty()
              : Optional.of((short) a.getInt("--replication-factor", 0));
      if (partitions.isPresent() && partitions.get() < 1) {
        throw new ToolArgs.UsageException("The partitions must be greater than 0");
      }
      if (rf.isPresent() && (rf.get() < 1 || rf.get() > Short.MAX_VALUE)) {
        throw new ToolArgs.UsageException(
            "The replication factor must be between 1 and " + Short.MAX_VALUE + " inclusive");
      }
      nt = new NewTopic(topic, partitions, rf);
    }
    nt.configs(configs);
    try {
      admin.createTopics(List.of(nt)).all().get();
      out.println("Created topic " + topic + ".");
      return 0;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException && a.has("--if-not-exists")) {
        return 0;
      }
      if (e.getCause() instanceof TopicExistsException) {
        throw new ToolArgs.UsageException("Topic '" + topic + "' already exists.");
      }
      throw e;
    }
  }

  /** "1:2,2:3": partition i gets the brokers of the i-th comma-separated group. */
  static Map<Integer, List<Integer>> parseReplicaAssignment(String s) {
    Map<Integer, List<Integer>> out = new LinkedHashMap<>();
    String[] parts = s.split(",");
    for (int i = 0; i < parts.length; i++) {
      List<Integer> ids = new ArrayList<>();
      for (String id : parts[i].split(":")) {
        try {
          ids.add(Integer.parseInt(id.trim()));
        } catch (NumberFormatException e) {
          throw new ToolArgs.UsageException(
              "Invalid replica assignment \"" + s + "\": " + id + " is not a broker id");
        }
      }
      if (new TreeSet<>(ids).size() != ids.size()) {
        throw new ToolArgs.UsageException(
            "Partition replica lists may not contain duplicate" + " entries: " + ids);
      }
      if (i > 0 && ids.size() != out.get(0).size()) {
        throw new ToolArgs.UsageException(
            "Partition " + i + " has different replication factor: " + ids);
      }
      out.put(i, ids);
    }
    return out;
  }

  private static List<String> matching(Admin admin, String topicRegex, boolean excludeInternal)
      throws Exception {
    Set<String> all =
        new TreeSet<>(
            admin.listTopics(new ListTopicsOptions().listInternal(!excludeInternal)).names().get());
    if (topicRegex == null) {
      return new ArrayList<>(all);
    }
    Pattern p = Pattern.compile(topicRegex);
    return all.stream().filter(t -> p.matcher(t).matches()).collect(Collectors.toList());
  }

  private static int describe(Admin admin, ToolArgs a, PartitionFilter filter, PrintStream out)
      throws Exception {
    String topicArg = a.get("--topic");
    List<String> topics = matching(admin, topicArg, a.has("--exclude-internal"));
    if (topics.isEmpty() && topicArg != null && !a.has("--if-exists")) {
      throw new ToolArgs.UsageException("Topic '" + topicArg + "' does not exist as expected");
    }
    if (topics.isEmpty()) {
      return 0;
    }
    Map<String, TopicDescription> descs = admin.describeTopics(topics).allTopicNames().get();
    List<ConfigResource> resources = new ArrayList<>();
    topics.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
    Map<ConfigResource, Config> configs = new HashMap<>();
    try {
      configs = admin.describeConfigs(resources).all().get();
    } catch (ExecutionException e) {
      // describe still prints partitions when configs cannot be read
    }
    Set<Integer> liveBrokers = new TreeSet<>();
    if (filter == PartitionFilter.UNAVAILABLE) {
      admin.describeCluster().nodes().get().forEach(n -> liveBrokers.add(n.id()));
    }
    for (String t : topics) {
      TopicDescription d = descs.get(t);
      if (d == null) {
        continue;
      }
      Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t));
      if (filter == PartitionFilter.ALL) {
        out.println(topicLine(d, c));
      }
      Integer minIsr = minIsr(c);
      for (TopicPartitionInfo p : d.partitions()) {
        if (filter.matches(p, minIsr, liveBrokers)) {
          out.println(partitionLine(t, p));
        }
      }
    }
    return 0;
  }

  /** The topic's min.insync.replicas, or null when the configs could not be read. */
  static Integer minIsr(Config c) {
    ConfigEntry e = c == null ? null : c.get("min.insync.replicas");
    if (e == null || e.value() == null) {
      return null;
    }
    try {
      return Integer.valueOf(e.value().trim());
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  /**
   * Kafka's --describe partition filters (TopicCommand.PartitionDescription): at most one may be
   * given; without one every partition is printed, with the topic line.
   */
  enum PartitionFilter {
    ALL(null),
    /** Fewer in-sync replicas than replicas. */
    UNDER_REPLICATED("under-replicated-partitions"),
    /** No leader, or a leader that is not a live broker. */
    UNAVAILABLE("unavailable-partitions"),
    /** No leader, or fewer in-sync replicas than min.insync.replicas. */
    UNDER_MIN_ISR("under-min-isr-partitions"),
    /** Exactly min.insync.replicas in-sync replicas. */
    AT_MIN_ISR("at-min-isr-partitions");

    final String flag;

    PartitionFilter(String flag) {
      this.flag = flag;
    }

    static PartitionFilter of(ToolArgs a) {
      PartitionFilter chosen = ALL;
      for (PartitionFilter f : values()) {
        if (f.flag == null || !a.has("--" + f.flag)) {
          continue;
        }
        if (chosen != ALL) {
          throw new ToolArgs.UsageException(
              "Option \"[" + chosen.flag + "]\" can't be used with option \"[" + f.flag + "]\"");
        }
        chosen = f;
      }
      return chosen;
    }

    /**
     * @param minIsr the topic's min.insync.replicas, or null when unknown
     * @param liveBrokers ids of the live brokers (used by UNAVAILABLE only)
     */
    boolean matches(TopicPartitionInfo p, Integer minIsr, Set<Integer> liveBrokers) {
      boolean hasLeader = p.leader() != null;
      return switch (this) {
        case ALL -> true;
        case UNDER_REPLICATED -> p.isr().size() < p.replicas().size();
        case UNAVAILABLE -> !hasLeader || !liveBrokers.contains(p.leader().id());
        case UNDER_MIN_ISR -> !hasLeader || (minIsr != null && p.isr().size() < minIsr);
        case AT_MIN_ISR -> minIsr != null && p.isr().size() == minIsr;
      };
    }
  }

  static String topicLine(TopicDescription d, Config c) {
    String configs = "";
    if (c != null) {
      configs =
          c.entries().stream()
              .filter(e -> !e.isDefault())
              .map(e -> e.name() + "=" + (e.isSensitive() ? "[hidden]" : e.value()))
              .collect(Collectors.joining(","));
    }
    int rf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
    return "Topic: "
        + d.name()
        + "\tTopicId: "
        + d.topicId()
        + "\tPartitionCount: "
        + d.partitions().size()
        + "\tReplicationFactor: "
        + rf
        + "\tConfigs: "
        + configs;
  }

  static String partitionLine(String topic, TopicPartitionInfo p) {
    return "\tTopic: "
        + topic
        + "\tPartition: "
        + p.partition()
        + "\tLeader: "
        + (p.leader() == null ? "none" : p.leader().idString())
        + "\tReplicas: "
        + ids(p.replicas())
        + "\tIsr: "
        + ids(p.isr());
  }

  private static String ids(List<Node> nodes) {
    return nodes.stream().map(Node::idString).collect(Collectors.joining(","));
  }

  /**
   * {@code --alter --topic T --partitions N [--replica-assignment ...]}: increases the partition
   * count of the matching topics (Kafka's TopicCommand.alterTopic); with an assignment, the entries
   * past the current partition count are the new partitions' replicas.
   */
  private static int alter(Admin admin, ToolArgs a) throws Exception {
    String topicArg = a.required("--topic");
    if (a.get("--partitions") == null) {
      throw new ToolArgs.UsageException("Missing required argument \"[partitions]\"");
    }
    int count = a.getInt("--partitions", 0);
    List<String> topics = matching(admin, topicArg, true);
    if (topics.isEmpty()) {
      if (a.has("--if-exists")) {
        return 0;
      }
      throw new ToolArgs.UsageException("Topic '" + topicArg + "' does not exist as expected");
    }
    Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
    Map<String, NewPartitions> request = new LinkedHashMap<>();
    for (String t : topics) {
      int current = described.get(t).partitions().size();
      if (count <= current) {
        throw new InvalidPartitionsException(
            "The number of partitions for a topic can only be increased. Topic "
                + t
                + " currently has "
                + current
                + " partitions, "
                + count
                + " would not be an increase.");
      }
      if (a.get("--replica-assignment") != null) {
        Map<Integer, List<Integer>> all = parseReplicaAssignment(a.get("--replica-assignment"));
        List<List<Integer>> added = new ArrayList<>();
        all.forEach(
            (p, rs) -> {
              if (p >= current) {
                added.add(rs);
              }
            });
        request.put(t, NewPartitions.increaseTo(count, added));
      } else {
        request.put(t, NewPartitions.increaseTo(count));
      }
    }
    admin.createPartitions(request).all().get();
    return 0;
  }

  private static int delete(Admin admin, ToolArgs a) throws Exception {
    String topicArg = a.required("--topic");
    List<String> topics = matching(admin, topicArg, true);
    if (topics.isEmpty()) {
      if (a.has("--if-exists")) {
        return 0;
      }
      throw new ToolArgs.UsageException("Topic '" + topicArg + "' does not exist as expected");
    }
    admin.deleteTopics(topics).all().get();
    return 0;
  }
}
