package io.brook.client.tools;

import io.brook.client.admin.ConsumerGroupDescription;
import io.brook.client.admin.ConsumerGroupListing;
import io.brook.client.admin.MemberDescription;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.common.TopicPartition;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The text brook-consumer-groups.sh prints, column for column Kafka's ConsumerGroupCommand
 * (printOffsets, printMembers, printStates, printGroupStates, printOffsetsToReset, deleteGroups,
 * deleteOffsets): tables are "\n"-prefixed lines with columns left-aligned to at least 15
 * characters (or the longest value), missing values shown as "-". Pure functions; stateless.
 */
final class ConsumerGroupOutput {
  private ConsumerGroupOutput() {}

  static final String MISSING = "-";

  /** One row of --describe --offsets; null fields print as "-". */
  record OffsetRow(
      String group,
      String topic,
      Integer partition,
      Long currentOffset,
      Long logEndOffset,
      Long lag,
      String consumerId,
      String host,
      String clientId) {}

  /** One row of --describe --members; {@code assignment} only with --verbose. */
  record MemberRow(
      String group,
      String consumerId,
      String groupInstanceId,
      String host,
      String clientId,
      int numPartitions,
      List<TopicPartition> assignment) {}

  private static String s(Object o) {
    return o == null ? MISSING : o.toString();
  }

  private static String left(int width) {
    return "%-" + width + "s";
  }

  /** {@code --list --state}: "GROUP STATE" with the group column as wide as the longest id. */
  static String groupStates(List<ConsumerGroupListing> listings) {
    int groupLen = 15;
    for (ConsumerGroupListing l : listings) {
      groupLen = Math.max(groupLen, l.groupId().length());
    }
    String format = left(groupLen) + " %s%n";
    StringBuilder b = new StringBuilder(String.format(format, "GROUP", "STATE"));
    for (ConsumerGroupListing l : listings) {
      b.append(
          String.format(format, l.groupId(), l.state().map(Object::toString).orElse("Unknown")));
    }
    return b.toString();
  }

  /**
   * Kafka's shouldPrintMemberState: a Dead group "does not exist" (stdout), an Empty one "has no
   * active members", a rebalancing one is flagged (stderr). Returns whether to print the table.
   */
  static boolean printGroupStateNote(
      String group, String state, int numRows, PrintStream out, PrintStream err) {
    switch (state) {
      case "Dead" -> out.println("\nError: Consumer group '" + group + "' does not exist.");
      case "Empty" -> err.println("\nConsumer group '" + group + "' has no active members.");
      case "PreparingRebalance", "CompletingRebalance" ->
          err.println("\nWarning: Consumer group '" + group + "' is rebalancing.");
      default -> {
        // Stable: nothing to say
      }
    }
    return !state.equals("Dead") && numRows > 0;
  }

  /**
   * Kafka's collectGroupOffsets rows: each member with partitions (in the given order), its
   * partitions sorted; then the committed partitions no member is assigned, with "-" for the member
   * columns. Lag = log end - committed when both are known.
   */
  static List<OffsetRow> offsetRows(
      String group,
      List<MemberDescription> membersWithPartitions,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<TopicPartition, Long> logEnd) {
    List<OffsetRow> rows = new ArrayList<>();
    java.util.Set<TopicPartition> assigned = new java.util.HashSet<>();
    for (MemberDescription m : membersWithPartitions) {
      List<TopicPartition> tps = new ArrayList<>(m.assignment().topicPartitions());
      tps.sort(
          Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
      assigned.addAll(tps);
      for (TopicPartition tp : tps) {
        rows.add(row(group, tp, committed, logEnd, m.consumerId(), m.host(), m.clientId()));
      }
    }
    List<TopicPartition> unassigned = new ArrayList<>();
    for (TopicPartition tp : committed.keySet()) {
      if (!assigned.contains(tp)) {
        unassigned.add(tp);
      }
    }
    unassigned.sort(
        Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
    for (TopicPartition tp : unassigned) {
      rows.add(row(group, tp, committed, logEnd, MISSING, MISSING, MISSING));
    }
    return rows;
  }

  private static OffsetRow row(
      String group,
      TopicPartition tp,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<TopicPartition, Long> logEnd,
      String consumerId,
      String host,
      String clientId) {
    OffsetAndMetadata om = committed.get(tp);
    Long current = om == null ? null : om.offset();
    Long end = logEnd.get(tp);
    Long lag = current != null && end != null ? end - current : null;
    return new OffsetRow(
        group, tp.topic(), tp.partition(), current, end, lag, consumerId, host, clientId);
  }

  /** {@code --describe [--offsets]}: Kafka's printOffsets table. */
  static String offsets(List<OffsetRow> rows) {
    int groupLen = 15;
    int topicLen = 15;
    int consumerLen = 15;
    int hostLen = 15;
    for (OffsetRow r : rows) {
      groupLen = Math.max(groupLen, r.group().length());
      topicLen = Math.max(topicLen, s(r.topic()).length());
      consumerLen = Math.max(consumerLen, s(r.consumerId()).length());
      hostLen = Math.max(hostLen, s(r.host()).length());
    }
    String format =
        "%n"
            + left(groupLen)
            + " "
            + left(topicLen)
            + " %-10s %-15s %-15s %-15s "
            + left(consumerLen)
            + " "
            + left(hostLen)
            + " %s";
    StringBuilder b =
        new StringBuilder(
            String.format(
                format,
                "GROUP",
                "TOPIC",
                "PARTITION",
                "CURRENT-OFFSET",
                "LOG-END-OFFSET",
                "LAG",
                "CONSUMER-ID",
                "HOST",
                "CLIENT-ID"));
    for (OffsetRow r : rows) {
      b.append(
          String.format(
              format,
              r.group(),
              s(r.topic()),
              s(r.partition()),
              s(r.currentOffset()),
              s(r.logEndOffset()),
              s(r.lag()),
              s(r.consumerId()),
              s(r.host()),
              s(r.clientId())));
    }
    return b.append(System.lineSeparator()).toString();
  }

  /** {@code --describe --members [--verbose]}: Kafka's printMembers table. */
  static String members(List<MemberRow> rows, boolean verbose) {
    int groupLen = 15;
    int consumerLen = 15;
    int instanceLen = 17;
    int hostLen = 15;
    int clientLen = 15;
    boolean withInstance = false;
    for (MemberRow r : rows) {
      groupLen = Math.max(groupLen, r.group().length());
      consumerLen = Math.max(consumerLen, r.consumerId().length());
      instanceLen = Math.max(instanceLen, r.groupInstanceId().length());
      hostLen = Math.max(hostLen, r.host().length());
      clientLen = Math.max(clientLen, r.clientId().length());
      withInstance |= !r.groupInstanceId().isEmpty();
    }
    String format =
        withInstance
            ? "%n"
                + left(groupLen)
                + " "
                + left(consumerLen)
                + " "
                + left(instanceLen)
                + " "
                + left(hostLen)
                + " "
                + left(clientLen)
                + " %-15s "
            : "%n"
                + left(groupLen)
                + " "
                + left(consumerLen)
                + " "
                + left(hostLen)
                + " "
                + left(clientLen)
                + " %-15s ";
    StringBuilder b = new StringBuilder();
    b.append(
        withInstance
            ? String.format(
                format,
                "GROUP",
                "CONSUMER-ID",
                "GROUP-INSTANCE-ID",
                "HOST",
                "CLIENT-ID",
                "#PARTITIONS")
            : String.format(format, "GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"));
    if (verbose) {
      b.append("ASSIGNMENT");
    }
    for (MemberRow r : rows) {
      b.append(
          withInstance
              ? String.format(
                  format,
                  r.group(),
                  r.consumerId(),
                  r.groupInstanceId(),
                  r.host(),
                  r.clientId(),
                  r.numPartitions())
              : String.format(
                  format, r.group(), r.consumerId(), r.host(), r.clientId(), r.numPartitions()));
      if (verbose) {
        b.append(assignment(r.assignment()));
      }
    }
    return b.append(System.lineSeparator()).toString();
  }

  /** "t1(0,2), t2(1)" (topics and partitions sorted), or "-" for none. */
  static String assignment(Collection<TopicPartition> tps) {
    if (tps.isEmpty()) {
      return MISSING;
    }
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    tps.forEach(
        tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
    return byTopic.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + e.getValue().stream()
                        .sorted()
                        .map(String::valueOf)
                        .collect(Collectors.joining(",", "(", ")")))
        .collect(Collectors.joining(", "));
  }

  /** {@code --describe --state}: Kafka's printStates table (coordinator as "host:port (id)"). */
  static String state(ConsumerGroupDescription d) {
    String coordinator =
        d.coordinator() == null
            ? MISSING
            : d.coordinator().host()
                + ":"
                + d.coordinator().port()
                + " ("
                + d.coordinator().idString()
                + ")";
    int groupLen = Math.max(15, d.groupId().length());
    int coordinatorLen = Math.max(25, coordinator.length());
    String format = "%n" + left(groupLen) + " " + left(coordinatorLen) + " %-20s %-15s %s";
    return String.format(
            format, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
        + String.format(
            format, d.groupId(), coordinator, d.partitionAssignor(), d.state(), d.members().size())
        + System.lineSeparator();
  }

  /** {@code --reset-offsets}: Kafka's printOffsetsToReset table. */
  static String offsetsToReset(Map<String, Map<TopicPartition, Long>> plans) {
    String format = "%-30s %-30s %-10s %-15s%n";
    StringBuilder b = new StringBuilder(System.lineSeparator());
    b.append(String.format(format, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"));
    plans.forEach(
        (group, offsets) ->
            offsets.forEach(
                (tp, offset) ->
                    b.append(String.format(format, group, tp.topic(), tp.partition(), offset))));
    return b.append(System.lineSeparator()).toString();
  }

  /** {@code --delete}: Kafka's success line, or the failures then the groups deleted. */
  static String deleteGroups(List<String> deleted, Map<String, Throwable> failed) {
    StringBuilder b = new StringBuilder();
    String nl = System.lineSeparator();
    if (failed.isEmpty()) {
      b.append("Deletion of requested consumer groups (")
          .append(quoted(deleted))
          .append(") was successful.")
          .append(nl);
    } else {
      b.append(nl).append("Error: Deletion of some consumer groups failed:").append(nl);
      failed.forEach(
          (g, e) ->
              b.append("* Group '")
                  .append(g)
                  .append("' could not be deleted due to: ")
                  .append(e)
                  .append(nl));
      if (!deleted.isEmpty()) {
        b.append(nl)
            .append("These consumer groups were deleted successfully: ")
            .append(quoted(deleted))
            .append(nl);
      }
    }
    return b.toString();
  }

  private static String quoted(List<String> groups) {
    return groups.stream().map(g -> "'" + g + "'").collect(Collectors.joining(", "));
  }

  /**
   * {@code --delete-offsets}: Kafka's top-level line then "TOPIC PARTITION STATUS" per partition
   * (partition -1: "Not Provided", for a topic that does not exist).
   */
  static String deleteOffsets(
      String group,
      List<String> topics,
      Throwable topLevel,
      Map<TopicPartition, Throwable> results) {
    String nl = System.lineSeparator();
    StringBuilder b = new StringBuilder();
    String name = topLevel == null ? "" : topLevel.getClass().getSimpleName();
    boolean partitionErrors = results.values().stream().anyMatch(e -> e != null);
    if (topLevel == null && !partitionErrors) {
      b.append("Request succeed for deleting offsets with topic ")
          .append(String.join(", ", topics))
          .append(" group ")
          .append(group)
          .append(nl);
    } else if (name.equals("InvalidGroupIdException")) {
      b.append(nl).append("Error: '").append(group).append("' is not valid.").append(nl);
    } else if (name.equals("GroupIdNotFoundException")) {
      b.append(nl).append("Error: '").append(group).append("' does not exist.").append(nl);
    } else if (name.equals("GroupNotEmptyException")) {
      b.append(nl)
          .append("Error: Deleting offsets of a consumer group '")
          .append(group)
          .append("' is forbidden if the group is not empty.")
          .append(nl);
    } else if (topLevel == null) {
      b.append(nl)
          .append("Error: Encounter some partition level error, see the follow-up details:")
          .append(nl);
    } else {
      b.append(nl).append("Error: Encounter some unknown error: ").append(topLevel).append(nl);
    }
    String format = "%-30s %-15s %-15s%n";
    b.append(nl).append(String.format(format, "TOPIC", "PARTITION", "STATUS"));
    List<Map.Entry<TopicPartition, Throwable>> sorted = new ArrayList<>(results.entrySet());
    sorted.sort(Comparator.comparing(e -> e.getKey().topic() + e.getKey().partition()));
    for (Map.Entry<TopicPartition, Throwable> e : sorted) {
      TopicPartition tp = e.getKey();
      b.append(
          String.format(
              format,
              tp.topic(),
              tp.partition() >= 0 ? Integer.toString(tp.partition()) : "Not Provided",
              e.getValue() != null ? "Error: " + e.getValue().getMessage() : "Successful"));
    }
    return b.toString();
  }
}
