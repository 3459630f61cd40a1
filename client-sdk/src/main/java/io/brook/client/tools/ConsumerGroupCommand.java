package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.ConsumerGroupDescription;
import io.brook.client.admin.ConsumerGroupListing;
import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.admin.DescribeConsumerGroupsOptions;
import io.brook.client.admin.ListConsumerGroupOffsetsOptions;
import io.brook.client.admin.ListConsumerGroupsOptions;
import io.brook.client.admin.ListOffsetsOptions;
import io.brook.client.admin.ListOffsetsResult;
import io.brook.client.admin.MemberDescription;
import io.brook.client.admin.OffsetSpec;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.GroupIdNotFoundException;
import io.brook.client.common.errors.GroupNotEmptyException;
import io.brook.client.common.errors.InvalidGroupIdException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.tools.ConsumerGroupOutput.MemberRow;
import io.brook.client.tools.ConsumerGroupOutput.OffsetRow;
import io.brook.client.tools.OffsetResetPlanner.Target;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * brook-consumer-groups.sh: Kafka's kafka-consumer-groups.sh (ConsumerGroupCommand) flags, checks
 * and output over the Brook admin client: {@code --list [--state [S,...]]}, {@code --describe
 * (--group G ... | --all-groups) [--offsets | --members [--verbose] | --state]}, {@code
 * --reset-offsets} (scopes {@code --topic T[:p,q]} / {@code --all-topics} / {@code --from-file};
 * targets {@code --to-earliest | --to-latest | --to-current | --to-offset | --to-datetime |
 * --by-duration | --shift-by}; {@code --dry-run} (the default) or {@code --execute}; {@code
 * --export}), {@code --delete} and {@code --delete-offsets}. Offsets are only reset for groups
 * without active members (Empty, or unknown to the coordinator).
 */
public final class ConsumerGroupCommand {
  private ConsumerGroupCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** As Kafka's: the admin calls give up after this many ms unless --timeout says otherwise. */
  static final long DEFAULT_TIMEOUT_MS = 5000;

  public static int run(String[] args, PrintStream out) {
    return run(args, out, System.err, Admin::create, Time.SYSTEM);
  }

  /** For tests: the streams, how to create the admin client, and the clock (--by-duration). */
  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<Properties, Admin> admins,
      Time time) {
    return ToolArgs.run(
        "ConsumerGroupCommand",
        "Error: Executing consumer group command failed due to ",
        ToolArgs.verbose(args) && !List.of(args).contains("--members"),
        () ->
            new ConsumerGroupCommand.Execution(
                    ConsumerGroupCommandOptions.parse(args), out, err, admins, time)
                .execute());
  }

  /** One run of the command. Not thread-safe. */
  private static final class Execution {
    private final ToolArgs a;
    private final PrintStream out;
    private final PrintStream err;
    private final Function<Properties, Admin> admins;
    private final Time time;
    private final long timeoutMs;
    private Admin admin;

    Execution(
        ToolArgs a,
        PrintStream out,
        PrintStream err,
        Function<Properties, Admin> admins,
        Time time) {
      this.a = a;
      this.out = out;
      this.err = err;
      this.admins = admins;
      this.time = time;
      this.timeoutMs = a.getLong("--timeout", DEFAULT_TIMEOUT_MS);
    }

    int execute() throws Exception {
      if (a.has("--help")) {
        out.println(ConsumerGroupCommandOptions.USAGE);
        return 0;
      }
      ConsumerGroupCommandOptions.checkArgs(a);
      if (a.has("--reset-offsets") && !a.has("--dry-run") && !a.has("--execute")) {
        err.println(
            "WARN: No action will be performed as the --execute option is missing. In a future"
                + " major release, the default behavior of this command will be to prompt the"
                + " user before executing the reset rather than doing a dry run. You should add"
                + " the --dry-run option explicitly if you are scripting this command and want to"
                + " keep the current default behavior without prompting.");
      }
      Properties props = new Properties();
      ToolArgs.loadFile(a.get("--command-config"), props);
      props.put("bootstrap.servers", a.required("--bootstrap-server"));
      props.putIfAbsent("default.api.timeout.ms", Long.toString(timeoutMs));
      props.putIfAbsent("request.timeout.ms", Long.toString(timeoutMs));
      try (Admin created = admins.apply(props)) {
        this.admin = created;
        if (a.has("--list")) {
          return list();
        } else if (a.has("--describe")) {
          return describe();
        } else if (a.has("--reset-offsets")) {
          return resetOffsets();
        } else if (a.has("--delete")) {
          return deleteGroups();
        } else {
          return deleteOffsets();
        }
      }
    }

    // ---------------------------------------------------------------- --list

    private int list() throws Exception {
      Set<ConsumerGroupState> states = new HashSet<>();
      String filter = a.get("--state");
      if (filter != null) {
        states.addAll(ConsumerGroupCommandOptions.parseStates(filter));
      }
      Collection<ConsumerGroupListing> listings =
          admin
              .listConsumerGroups(
                  new ListConsumerGroupsOptions()
                      .inStates(states)
                      .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)))
              .all()
              .get();
      List<ConsumerGroupListing> sorted = new ArrayList<>(listings);
      sorted.sort(Comparator.comparing(ConsumerGroupListing::groupId));
      if (a.has("--state")) {
        out.print(ConsumerGroupOutput.groupStates(sorted));
      } else {
        sorted.forEach(l -> out.println(l.groupId()));
      }
      return 0;
    }

    private List<String> groupIds() throws Exception {
      if (a.has("--all-groups")) {
        return admin
            .listConsumerGroups(
                new ListConsumerGroupsOptions()
                    .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)))
            .all()
            .get()
            .stream()
            .map(ConsumerGroupListing::groupId)
            .sorted()
            .toList();
      }
      return new ArrayList<>(new LinkedHashSet<>(a.all("--group")));
    }

    private Map<String, ConsumerGroupDescription> describeGroups(List<String> groups)
        throws Exception {
      Map<String, ConsumerGroupDescription> out = new TreeMap<>();
      if (groups.isEmpty()) {
        return out;
      }
      out.putAll(
          admin
              .describeConsumerGroups(
                  groups,
                  new DescribeConsumerGroupsOptions()
                      .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)))
              .all()
              .get());
      return out;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
      return admin
          .listConsumerGroupOffsets(
              group,
              new ListConsumerGroupOffsetsOptions()
                  .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)))
          .partitionsToOffsetAndMetadata()
          .get();
    }

    /** The offsets of {@code spec} per partition; partitions whose lookup failed are absent. */
    private Map<TopicPartition, Long> offsets(Collection<TopicPartition> tps, OffsetSpec spec) {
      Map<TopicPartition, OffsetSpec> ask = new LinkedHashMap<>();
      tps.forEach(tp -> ask.put(tp, spec));
      Map<TopicPartition, Long> out = new HashMap<>();
      if (ask.isEmpty()) {
        return out;
      }
      ListOffsetsResult r =
          admin.listOffsets(
              ask,
              new ListOffsetsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
      for (TopicPartition tp : ask.keySet()) {
        try {
          out.put(tp, r.partitionResult(tp).get().offset());
        } catch (ExecutionException e) {
          // Kafka: LogOffsetResult.Unknown; shown as "-"
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BrookException("interrupted", e);
        }
      }
      return out;
    }

    // ---------------------------------------------------------------- --describe

    private int describe() throws Exception {
      Map<String, ConsumerGroupDescription> groups = describeGroups(groupIds());
      for (ConsumerGroupDescription d : groups.values()) {
        String state = d.state().toString();
        if (a.has("--members")) {
          List<MemberRow> rows = new ArrayList<>();
          for (MemberDescription m : d.members()) {
            rows.add(
                new MemberRow(
                    d.groupId(),
                    m.consumerId(),
                    m.groupInstanceId().orElse(""),
                    m.host(),
                    m.clientId(),
                    m.assignment().topicPartitions().size(),
                    a.has("--verbose")
                        ? new ArrayList<>(m.assignment().topicPartitions())
                        : List.of()));
          }
          if (ConsumerGroupOutput.printGroupStateNote(d.groupId(), state, rows.size(), out, err)) {
            out.print(ConsumerGroupOutput.members(rows, a.has("--verbose")));
          }
        } else if (a.has("--state")) {
          if (ConsumerGroupOutput.printGroupStateNote(d.groupId(), state, 1, out, err)) {
            out.print(ConsumerGroupOutput.state(d));
          }
        } else {
          List<OffsetRow> rows = offsetRows(d);
          if (ConsumerGroupOutput.printGroupStateNote(d.groupId(), state, rows.size(), out, err)) {
            out.print(ConsumerGroupOutput.offsets(rows));
          }
        }
      }
      return 0;
    }

    /**
     * Kafka's collectGroupOffsets: the partitions of each member with an assignment (members with
     * the most partitions first), then the group's committed partitions nobody is assigned.
     */
    private List<OffsetRow> offsetRows(ConsumerGroupDescription d) throws Exception {
      if (d.state() == ConsumerGroupState.DEAD) {
        return List.of();
      }
      Map<TopicPartition, OffsetAndMetadata> committed = committed(d.groupId());
      List<MemberDescription> members = new ArrayList<>(d.members());
      members.removeIf(m -> m.assignment().topicPartitions().isEmpty());
      members.sort(
          Comparator.comparingInt((MemberDescription m) -> m.assignment().topicPartitions().size())
              .reversed());
      Set<TopicPartition> all = new HashSet<>(committed.keySet());
      members.forEach(m -> all.addAll(m.assignment().topicPartitions()));
      Map<TopicPartition, Long> logEnd = offsets(all, OffsetSpec.latest());
      return ConsumerGroupOutput.offsetRows(d.groupId(), members, committed, logEnd);
    }

    // ---------------------------------------------------------------- --reset-offsets

    private int resetOffsets() throws Exception {
      List<String> groups = groupIds();
      Map<String, Map<TopicPartition, Long>> fromFile = null;
      if (a.has("--from-file")) {
        try {
          fromFile =
              OffsetResetPlanner.parseResetPlan(
                  Files.readAllLines(Path.of(a.get("--from-file"))),
                  groups.size() == 1 ? groups.get(0) : null);
        } catch (IOException e) {
          throw new ToolArgs.UsageException(
              "Cannot read " + a.get("--from-file") + ": " + e.getMessage());
        }
      }
      Map<String, ConsumerGroupDescription> described = describeGroups(groups);
      boolean execute = a.has("--execute");
      Map<String, Map<TopicPartition, Long>> plans = new TreeMap<>();
      boolean refused = false;
      for (String group : groups) {
        ConsumerGroupDescription d = described.get(group);
        ConsumerGroupState state = d == null ? ConsumerGroupState.DEAD : d.state();
        if (state != ConsumerGroupState.EMPTY && state != ConsumerGroupState.DEAD) {
          out.println(
              "\nError: Assignments can only be reset if the group '"
                  + group
                  + "' is inactive, but the current state is "
                  + state
                  + ".");
          refused = true;
          continue;
        }
        Target target =
            ConsumerGroupCommandOptions.target(
                a, fromFile == null ? null : fromFile.getOrDefault(group, Map.of()));
        Map<TopicPartition, OffsetAndMetadata> committedOffsets = committed(group);
        Collection<TopicPartition> scope = partitionsToReset(committedOffsets, target);
        OffsetResetPlanner.Plan plan = plan(scope, target, committedOffsets);
        plan.warnings().forEach(err::println);
        if (execute && !plan.newOffsets().isEmpty()) {
          Map<TopicPartition, OffsetAndMetadata> request = new LinkedHashMap<>();
          plan.newOffsets().forEach((tp, o) -> request.put(tp, new OffsetAndMetadata(o)));
          admin.alterConsumerGroupOffsets(group, request).all().get();
        }
        plans.put(group, plan.newOffsets());
      }
      if (!plans.isEmpty()) {
        if (a.has("--export")) {
          out.print(OffsetResetPlanner.toCsv(plans));
        } else {
          out.print(ConsumerGroupOutput.offsetsToReset(plans));
        }
      }
      return refused ? 1 : 0;
    }

    private Collection<TopicPartition> partitionsToReset(
        Map<TopicPartition, OffsetAndMetadata> committed, Target target) throws Exception {
      if (target instanceof OffsetResetPlanner.FromFile f) {
        return f.offsets().keySet();
      }
      if (a.has("--all-topics")) {
        return new java.util.TreeSet<>(committed.keySet());
      }
      ConsumerGroupCommandOptions.TopicArgs topics =
          ConsumerGroupCommandOptions.TopicArgs.parse(a.all("--topic"));
      Set<TopicPartition> out = new java.util.TreeSet<>(topics.partitions());
      if (!topics.wholeTopics().isEmpty()) {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics.wholeTopics()).allTopicNames().get();
        described.forEach(
            (t, d) -> {
              for (TopicPartitionInfo p : d.partitions()) {
                out.add(new TopicPartition(t, p.partition()));
              }
            });
      }
      return out;
    }

    private OffsetResetPlanner.Plan plan(
        Collection<TopicPartition> scope,
        Target target,
        Map<TopicPartition, OffsetAndMetadata> committedOffsets) {
      Map<TopicPartition, Long> committed = new HashMap<>();
      committedOffsets.forEach(
          (tp, om) -> {
            if (om != null) {
              committed.put(tp, om.offset());
            }
          });
      Map<TopicPartition, Long> byTimestamp = Map.of();
      if (target.needsTimestampLookup()) {
        byTimestamp =
            offsets(
                scope,
                OffsetSpec.forTimestamp(
                    OffsetResetPlanner.timestampOf(target, time.milliseconds())));
      }
      OffsetResetPlanner.Offsets offsets =
          new OffsetResetPlanner.Offsets(
              committed,
              offsets(scope, OffsetSpec.earliest()),
              offsets(scope, OffsetSpec.latest()),
              byTimestamp);
      try {
        return OffsetResetPlanner.plan(scope, target, offsets);
      } catch (OffsetResetPlanner.PlanException e) {
        throw new ToolArgs.UsageException(e.getMessage());
      }
    }

    // ---------------------------------------------------------------- --delete

    private int deleteGroups() throws Exception {
      List<String> groups = groupIds();
      Map<String, Throwable> failed = new LinkedHashMap<>();
      List<String> deleted = new ArrayList<>();
      admin
          .deleteConsumerGroups(groups)
          .deletedGroups()
          .forEach(
              (g, f) -> {
                try {
                  f.get();
                  deleted.add(g);
                } catch (ExecutionException e) {
                  failed.put(g, e.getCause());
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  failed.put(g, e);
                }
              });
      out.print(ConsumerGroupOutput.deleteGroups(deleted, failed));
      return failed.isEmpty() ? 0 : 1;
    }

    // ---------------------------------------------------------------- --delete-offsets

    private int deleteOffsets() throws Exception {
      String group = a.get("--group");
      List<String> topicArgs = a.all("--topic");
      ConsumerGroupCommandOptions.TopicArgs topics =
          ConsumerGroupCommandOptions.TopicArgs.parse(topicArgs);
      Set<TopicPartition> partitions = new java.util.TreeSet<>(topics.partitions());
      Map<TopicPartition, Throwable> results = new LinkedHashMap<>();
      for (String t : topics.wholeTopics()) {
        try {
          TopicDescription d = admin.describeTopics(List.of(t)).allTopicNames().get().get(t);
          d.partitions().forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
          results.put(new TopicPartition(t, -1), e.getCause());
        }
      }
      Throwable topLevel = null;
      if (!partitions.isEmpty()) {
        try {
          Map<TopicPartition, BrookException> perPartition = new LinkedHashMap<>();
          var result = admin.deleteConsumerGroupOffsets(group, partitions);
          for (TopicPartition tp : partitions) {
            try {
              result.partitionResult(tp).get();
              perPartition.put(tp, null);
            } catch (ExecutionException e) {
              if (e.getCause() instanceof BrookException b
                  && !(e.getCause() instanceof GroupIdNotFoundException)
                  && !(e.getCause() instanceof GroupNotEmptyException)
                  && !(e.getCause() instanceof InvalidGroupIdException)) {
                perPartition.put(tp, b);
              } else {
                throw e;
              }
            }
          }
          results.putAll(perPartition);
        } catch (ExecutionException e) {
          topLevel = e.getCause();
          for (TopicPartition tp : partitions) {
            results.put(tp, e.getCause());
          }
        }
      }
      out.print(ConsumerGroupOutput.deleteOffsets(group, topicArgs, topLevel, results));
      boolean anyError = topLevel != null || results.values().stream().anyMatch(e -> e != null);
      return anyError ? 1 : 0;
    }
  }
}
