package io.brook.client.tools;

import io.brook.client.tools.ToolArgs.UsageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags of brook-reassign-partitions.sh and their checks (Kafka's
 * ReassignPartitionsCommandOptions wording): exactly one action; each action's required options;
 * options that do not apply to the action refused. Pure and stateless.
 */
final class ReassignPartitionsOptions {
  static final String USAGE =
      String.join(
          "\n",
          "This tool helps to move topic partitions between brokers.",
          "",
          "Usage: brook-reassign-partitions.sh --bootstrap-server HOST:PORT ACTION [OPTIONS]",
          "Actions:",
          "  --generate --topics-to-move-json-file F --broker-list 1,2,3 [--disable-rack-aware]",
          "      Propose a balanced (rack-aware when every broker has a rack) assignment of the",
          "      topics in F ({\"version\":1,\"topics\":[{\"topic\":\"t\"}]}) to the brokers.",
          "  --execute --reassignment-json-file F [--throttle BYTES_PER_SEC] [--additional]",
          "      Start the moves in F ({\"version\":1,\"partitions\":[{\"topic\":\"t\",",
          "      \"partition\":0,\"replicas\":[2,3,4]}]}). The controller checks the whole plan",
          "      first: nothing changes when any partition is refused.",
          "  --verify --reassignment-json-file F [--preserve-throttles]",
          "      Report each partition's progress; remove the throttle once all are done.",
          "  --cancel --reassignment-json-file F [--preserve-throttles]",
          "      Cancel the moves of F still in progress (partitions go back to their replicas).",
          "  --list",
          "      List the reassignments in progress.",
          "Other options:",
          "  --command-config F   admin client properties",
          "  --timeout MS         how long to wait for each admin call (default 30000)",
          "  --help");

  private static final Set<String> ACTIONS =
      Set.of("--generate", "--execute", "--verify", "--cancel", "--list");

  /** Options each action takes besides the common ones. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "--generate",
          Set.of("--topics-to-move-json-file", "--broker-list", "--disable-rack-aware"),
          "--execute",
          Set.of("--reassignment-json-file", "--throttle", "--additional"),
          "--verify",
          Set.of("--reassignment-json-file", "--preserve-throttles"),
          "--cancel",
          Set.of("--reassignment-json-file", "--preserve-throttles"),
          "--list",
          Set.of());

  private static final Map<String, List<String>> REQUIRED =
      Map.of(
          "--generate", List.of("--topics-to-move-json-file", "--broker-list"),
          "--execute", List.of("--reassignment-json-file"),
          "--verify", List.of("--reassignment-json-file"),
          "--cancel", List.of("--reassignment-json-file"),
          "--list", List.of());

  private ReassignPartitionsOptions() {}

  static ToolArgs parse(String[] args) {
    return new ToolArgs(
        args,
        Set.of(
            "--generate",
            "--execute",
            "--verify",
            "--cancel",
            "--list",
            "--additional",
            "--disable-rack-aware",
            "--preserve-throttles",
            "--help",
            "--verbose"),
        Set.of(
            "--bootstrap-server",
            "--topics-to-move-json-file",
            "--reassignment-json-file",
            "--broker-list",
            "--throttle",
            "--command-config",
            "--timeout"),
        Set.of());
  }

  /** Checks the combination; answers the action. */
  static String check(ToolArgs a) {
    List<String> actions = ACTIONS.stream().filter(a::has).sorted().toList();
    if (actions.size() != 1) {
      throw new UsageException(
          "Command must include exactly one action: --generate, --execute, --verify, --cancel, or"
              + " --list");
    }
    String action = actions.get(0);
    a.required("--bootstrap-server");
    for (String r : REQUIRED.get(action)) {
      if (!a.has(r)) {
        throw new UsageException(
            "Missing required argument \"[" + r.substring(2) + "]\" for action " + action);
      }
    }
    Set<String> actionOptions = new HashSet<>();
    ALLOWED.values().forEach(actionOptions::addAll);
    for (String o : actionOptions) {
      if (a.has(o) && !ALLOWED.get(action).contains(o)) {
        throw new UsageException(
            "Option \"["
                + o.substring(2)
                + "]\" can't be used with action \"["
                + action.substring(2)
                + "]\"");
      }
    }
    if (a.has("--broker-list")) {
      brokerList(a.get("--broker-list"));
    }
    if (a.has("--throttle")) {
      throttle(a.get("--throttle"));
    }
    return action;
  }

  /** "1,2,3" -> [1, 2, 3]; refuses non-numbers, duplicates and an empty list. */
  static List<Integer> brokerList(String s) {
    List<Integer> out = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (String item : s.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int id;
      try {
        id = Integer.parseInt(item.trim());
      } catch (NumberFormatException e) {
        throw new UsageException("Invalid broker id \"" + item.trim() + "\" in --broker-list");
      }
      if (!seen.add(id)) {
        throw new UsageException("Broker list contains duplicate entries: " + id);
      }
      out.add(id);
    }
    if (out.isEmpty()) {
      throw new UsageException("--broker-list must name at least one broker");
    }
    return out;
  }

  /** A positive rate in bytes per second. */
  static long throttle(String s) {
    long v;
    try {
      v = Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid --throttle \"" + s + "\": expected bytes per second");
    }
    if (v <= 0) {
      throw new UsageException("Invalid --throttle " + v + ": must be positive (bytes per second)");
    }
    return v;
  }
}
