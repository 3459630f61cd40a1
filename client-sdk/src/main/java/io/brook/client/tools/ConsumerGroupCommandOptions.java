package io.brook.client.tools;

import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.tools.OffsetResetPlanner.Target;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of brook-consumer-groups.sh (Kafka's ConsumerGroupCommandOptions): the flags,
 * Kafka's checks of their combinations with its messages, and the values they carry (reset target,
 * topic arguments, states). Pure functions; stateless.
 */
final class ConsumerGroupCommandOptions {
  private ConsumerGroupCommandOptions() {}

  static final List<String> ACTIONS =
      List.of("--list", "--describe", "--delete", "--reset-offsets", "--delete-offsets");
  static final List<String> RESET_TARGETS =
      List.of(
          "--to-offset",
          "--to-datetime",
          "--by-duration",
          "--to-earliest",
          "--to-latest",
          "--shift-by",
          "--from-file",
          "--to-current");

  static ToolArgs parse(String[] argv) {
    return new ToolArgs(
        argv,
        Set.of(
            "--list",
            "--describe",
            "--delete",
            "--reset-offsets",
            "--delete-offsets",
            "--all-groups",
            "--all-topics",
            "--members",
            "--offsets",
            "--verbose",
            "--to-earliest",
            "--to-latest",
            "--to-current",
            "--dry-run",
            "--execute",
            "--export",
            "--help"),
        Set.of(
            "--bootstrap-server",
            "--command-config",
            "--group",
            "--topic",
            "--timeout",
            "--to-offset",
            "--to-datetime",
            "--by-duration",
            "--shift-by",
            "--from-file"),
        Set.of(),
        Set.of("--state"));
  }

  static final String USAGE =
      "usage: brook-consumer-groups.sh --bootstrap-server B [--command-config FILE] [--timeout MS]\n"
          + "  --list [--state [Stable,Empty,...]]\n"
          + "  --describe (--group G [--group G2 ...] | --all-groups)"
          + " [--offsets | --members [--verbose] | --state]\n"
          + "  --reset-offsets (--group G ... | --all-groups)"
          + " (--topic T[:P,Q] ... | --all-topics | --from-file CSV)\n"
          + "      (--to-earliest | --to-latest | --to-current | --to-offset N"
          + " | --to-datetime YYYY-MM-DDTHH:mm:SS.sss[+hh:mm] | --by-duration PnDTnHnMnS"
          + " | --shift-by N) [--dry-run | --execute] [--export]\n"
          + "  --delete (--group G ... | --all-groups)\n"
          + "  --delete-offsets --group G --topic T[:P,Q] ...";

  /**
   * Kafka's ConsumerGroupCommand.checkArgs, with its messages: exactly one action; the options each
   * action takes; one reset target; --dry-run and --execute exclusive.
   */
  static void checkArgs(ToolArgs a) {
    long actions = ACTIONS.stream().filter(a::has).count();
    if (actions != 1) {
      throw new ToolArgs.UsageException(
          "Command must include exactly one action: --list, --describe, --delete, --reset-offsets,"
              + " --delete-offsets");
    }
    a.required("--bootstrap-server");
    String groupScope = "[group], [all-groups]";
    if (a.has("--describe")) {
      if (!a.has("--group") && !a.has("--all-groups")) {
        throw new ToolArgs.UsageException(
            "Option [describe] takes one of these options: " + groupScope);
      }
      long modes = List.of("--members", "--offsets", "--state").stream().filter(a::has).count();
      if (modes > 1) {
        throw new ToolArgs.UsageException(
            "Option [describe] takes at most one of these options: [members], [offsets], [state]");
      }
      if (a.has("--state") && a.get("--state") != null) {
        throw new ToolArgs.UsageException("Option [describe] does not take a value for [state]");
      }
    }
    if (a.has("--delete")) {
      if (!a.has("--group") && !a.has("--all-groups")) {
        throw new ToolArgs.UsageException(
            "Option [delete] takes one of these options: " + groupScope);
      }
      if (a.has("--topic")) {
        throw new ToolArgs.UsageException(
            "The consumer does not support topic-specific offset deletion from a consumer group.");
      }
    }
    if (a.has("--delete-offsets")) {
      if (!a.has("--group") || !a.has("--topic")) {
        throw new ToolArgs.UsageException(
            "Option [delete-offsets] takes the following options: [group], [topic]");
      }
      if (a.all("--group").size() > 1) {
        throw new ToolArgs.UsageException("Option [delete-offsets] takes a single [group]");
      }
    }
    if (a.has("--reset-offsets")) {
      if (a.has("--dry-run") && a.has("--execute")) {
        throw new ToolArgs.UsageException(
            "Option [reset-offsets] only accepts one of [execute] and [dry-run]");
      }
      if (!a.has("--group") && !a.has("--all-groups")) {
        throw new ToolArgs.UsageException(
            "Option [reset-offsets] takes one of these options: " + groupScope);
      }
      List<String> targets = RESET_TARGETS.stream().filter(a::has).toList();
      if (targets.size() > 1) {
        throw new ToolArgs.UsageException(
            "Option \"["
                + targets.get(0).substring(2)
                + "]\" can't be used with option \"["
                + targets.get(1).substring(2)
                + "]\"");
      }
      if (targets.isEmpty()) {
        throw new ToolArgs.UsageException(
            "Option [reset-offsets] requires one of the following scenarios: [to-offset],"
                + " [to-datetime], [by-duration], [to-earliest], [to-latest], [shift-by],"
                + " [from-file], [to-current]");
      }
      if (!a.has("--topic") && !a.has("--all-topics") && !a.has("--from-file")) {
        throw new ToolArgs.UsageException(
            "One of the reset scopes should be defined: --all-topics, --topic.");
      }
      if (a.has("--topic") && a.has("--all-topics")) {
        throw new ToolArgs.UsageException(
            "Option \"[all-topics]\" can't be used with option \"[topic]\"");
      }
    } else {
      for (String f : RESET_TARGETS) {
        if (a.has(f)) {
          throw new ToolArgs.UsageException(
              "Option \"["
                  + f.substring(2)
                  + "]\" can only be used with option \"[reset-offsets]\"");
        }
      }
      for (String f : List.of("--dry-run", "--execute", "--export", "--all-topics")) {
        if (a.has(f)) {
          throw new ToolArgs.UsageException(
              "Option \"["
                  + f.substring(2)
                  + "]\" can only be used with option \"[reset-offsets]\"");
        }
      }
    }
    if (a.has("--group") && a.has("--all-groups")) {
      throw new ToolArgs.UsageException(
          "Option \"[group]\" can't be used with option \"[all-groups]\"");
    }
    if (a.has("--list") && (a.has("--group") || a.has("--all-groups"))) {
      throw new ToolArgs.UsageException(
          "Option \"["
              + (a.has("--group") ? "group" : "all-groups")
              + "]\" can't be used with"
              + " option \"[list]\"");
    }
    if (a.has("--topic") && !a.has("--reset-offsets") && !a.has("--delete-offsets")) {
      throw new ToolArgs.UsageException(
          "Option \"[topic]\" can't be used with option \"["
              + ACTIONS.stream().filter(a::has).findFirst().orElse("--list").substring(2)
              + "]\"");
    }
    if ((a.has("--members") || a.has("--offsets")) && !a.has("--describe")) {
      throw new ToolArgs.UsageException(
          "Option \"["
              + (a.has("--members") ? "members" : "offsets")
              + "]\" can only be used"
              + " with option \"[describe]\"");
    }
    if (a.has("--state") && !a.has("--describe") && !a.has("--list")) {
      throw new ToolArgs.UsageException(
          "Option \"[state]\" can only be used with options \"[describe]\" or \"[list]\"");
    }
  }

  /** The reset target of the command line. */
  static Target target(ToolArgs a, Map<TopicPartition, Long> fromFile) {
    if (a.has("--to-offset")) {
      return new OffsetResetPlanner.ToOffset(a.getLong("--to-offset", 0));
    } else if (a.has("--to-datetime")) {
      return new OffsetResetPlanner.ToDatetime(
          OffsetResetPlanner.parseDateTime(a.get("--to-datetime")));
    } else if (a.has("--by-duration")) {
      return new OffsetResetPlanner.ByDuration(
          OffsetResetPlanner.parseDuration(a.get("--by-duration")));
    } else if (a.has("--to-earliest")) {
      return new OffsetResetPlanner.ToEarliest();
    } else if (a.has("--to-latest")) {
      return new OffsetResetPlanner.ToLatest();
    } else if (a.has("--shift-by")) {
      return new OffsetResetPlanner.ShiftBy(a.getLong("--shift-by", 0));
    } else if (a.has("--from-file")) {
      return new OffsetResetPlanner.FromFile(fromFile == null ? Map.of() : fromFile);
    } else {
      return new OffsetResetPlanner.ToCurrent();
    }
  }

  /** Kafka's "T" and "T:p,q" topic arguments: the partitions named, and the topics given whole. */
  record TopicArgs(List<TopicPartition> partitions, List<String> wholeTopics) {
    static TopicArgs parse(List<String> args) {
      List<TopicPartition> partitions = new ArrayList<>();
      List<String> whole = new ArrayList<>();
      for (String arg : args) {
        int colon = arg.indexOf(':');
        if (colon < 0) {
          whole.add(arg);
          continue;
        }
        String topic = arg.substring(0, colon);
        String list = arg.substring(colon + 1);
        if (topic.isEmpty() || list.isEmpty() || list.contains(":")) {
          throw new ToolArgs.UsageException(
              "Invalid topic arg '" + arg + "', expected topic name and partitions");
        }
        for (String p : list.split(",")) {
          try {
            partitions.add(new TopicPartition(topic, Integer.parseInt(p.trim())));
          } catch (NumberFormatException e) {
            throw new ToolArgs.UsageException(
                "Invalid partition '" + p + "' specified in topic arg '" + arg + "'");
          }
        }
      }
      return new TopicArgs(partitions, whole);
    }
  }

  /** "Stable,Empty" as states; Kafka's error for an unknown one. */
  static Set<ConsumerGroupState> parseStates(String s) {
    Set<ConsumerGroupState> out = new HashSet<>();
    for (String part : s.split(",")) {
      ConsumerGroupState st = ConsumerGroupState.parse(part);
      if (st == ConsumerGroupState.UNKNOWN) {
        throw new ToolArgs.UsageException(
            "Invalid state list '"
                + s
                + "'. Valid states are: Dead, Empty, Stable, PreparingRebalance,"
                + " CompletingRebalance");
      }
      out.add(st);
    }
    return out;
  }
}
