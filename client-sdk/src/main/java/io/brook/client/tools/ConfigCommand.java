package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AlterConfigOp;
import io.brook.client.admin.Config;
import io.brook.client.admin.ConfigEntry;
import io.brook.client.admin.ConfigResource;
import io.brook.client.common.Node;
import io.brook.client.tools.ToolArgs.UsageException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * brook-configs.sh: Kafka's kafka-configs.sh for topics and brokers over the Brook admin client.
 * {@code --entity-type topics|brokers (--entity-name N | --entity-default)} (or Kafka's shorthands
 * {@code --topic T}, {@code --broker B}, {@code --broker-defaults}) with {@code --describe [--all]}
 * or {@code --alter} ({@code --add-config k=v[,k=[a,b]]}, {@code --add-config-file F}, {@code
 * --delete-config k[,k]}). All changes of one run go to the controller in one call, which refuses
 * them all when any is invalid (the error names the key); Kafka's output lines.
 */
public final class ConfigCommand {
  static final String USAGE =
      String.join(
          "\n",
          "This tool helps to describe and change topic and broker configs.",
          "",
          "Usage: brook-configs.sh --bootstrap-server HOST:PORT",
          "         --entity-type topics|brokers (--entity-name N | --entity-default)",
          "         (--describe [--all] | --alter [--add-config k=v,k2=[a,b]]",
          "                     [--add-config-file F] [--delete-config k,k2])",
          "Shorthands: --topic T, --broker B, --broker-defaults.",
          "Without --entity-name, --describe covers every topic / every broker and the default.",
          "Other options: --command-config F, --timeout MS (default 30000), --help");

  private ConfigCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, Admin::create));
  }

  static int run(
      String[] args, PrintStream out, PrintStream err, Function<Properties, Admin> admins) {
    return ToolArgs.run(err, ToolArgs.verbose(args), () -> execute(args, out, admins));
  }

  /** What the flags name: the entity type and, unless every entity is meant, one resource. */
  record Target(ConfigResource.Type type, String name) {
    boolean isDefault() {
      return type == ConfigResource.Type.BROKER && "".equals(name);
    }
  }

  static ToolArgs parse(String[] args) {
    return new ToolArgs(
        args,
        Set.of(
            "--describe",
            "--alter",
            "--all",
            "--entity-default",
            "--broker-defaults",
            "--help",
            "--verbose"),
        Set.of(
            "--bootstrap-server",
            "--entity-type",
            "--entity-name",
            "--topic",
            "--broker",
            "--add-config",
            "--add-config-file",
            "--delete-config",
            "--command-config",
            "--timeout"),
        Set.of());
  }

  /** Checks the flags; answers the target (name null: every entity of the type). */
  static Target check(ToolArgs a) {
    a.required("--bootstrap-server");
    if (a.has("--describe") == a.has("--alter")) {
      throw new UsageException("Command must include exactly one action: --describe, --alter");
    }
    String type = a.get("--entity-type");
    String name = a.get("--entity-name");
    boolean isDefault = a.has("--entity-default");
    if (a.has("--topic")) {
      type = conflict(type, "topics");
      name = a.get("--topic");
    }
    if (a.has("--broker") || a.has("--broker-defaults")) {
      type = conflict(type, "brokers");
      name = a.get("--broker");
      isDefault |= a.has("--broker-defaults");
    }
    if (type == null) {
      throw new UsageException("Missing required argument \"[entity-type]\"");
    }
    ConfigResource.Type t =
        switch (type) {
          case "topics" -> ConfigResource.Type.TOPIC;
          case "brokers" -> ConfigResource.Type.BROKER;
          default ->
              throw new UsageException(
                  "Invalid entity type " + type + ", the entity type must be topics or brokers");
        };
    if (name != null && isDefault) {
      throw new UsageException("--entity-name and --entity-default cannot both be given");
    }
    if (isDefault && t == ConfigResource.Type.TOPIC) {
      throw new UsageException("--entity-default is only valid with --entity-type brokers");
    }
    if (name != null && t == ConfigResource.Type.BROKER && !name.matches("\\d+")) {
      throw new UsageException(
          "The entity name for brokers must be a valid integer broker id, but it is: " + name);
    }
    if (name != null && name.isEmpty()) {
      throw new UsageException("--entity-name must not be empty");
    }
    if (a.has("--alter")) {
      if (name == null && !isDefault) {
        throw new UsageException(
            "--entity-name or --entity-default must be specified with --alter");
      }
      if (!a.has("--add-config") && !a.has("--add-config-file") && !a.has("--delete-config")) {
        throw new UsageException(
            "At least one of --add-config, --add-config-file or --delete-config must be given"
                + " with --alter");
      }
      if (a.has("--all")) {
        throw new UsageException("--all can only be used with --describe");
      }
    } else if (a.has("--add-config") || a.has("--add-config-file") || a.has("--delete-config")) {
      throw new UsageException(
          "--add-config, --add-config-file and --delete-config can only be used with --alter");
    }
    return new Target(t, isDefault ? "" : name);
  }

  private static String conflict(String type, String implied) {
    if (type != null && !type.equals(implied)) {
      throw new UsageException("Only one entity type may be specified");
    }
    return implied;
  }

  /**
   * Kafka's {@code --add-config} syntax: {@code k=v} items separated by commas; a value in square
   * brackets may hold commas ({@code k=[a,b]} sets "a,b").
   */
  static Map<String, String> parseAddConfig(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> items = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth = Math.max(0, depth - 1);
      }
      if (c == ',' && depth == 0) {
        items.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    items.add(cur.toString());
    for (String item : items) {
      int eq = item.indexOf('=');
      if (eq <= 0 || item.substring(0, eq).isBlank()) {
        throw new UsageException(
            "Invalid entity config: all configs to be added must be in the format \"key=val\"."
                + " Found: \""
                + item
                + "\"");
      }
      String value = item.substring(eq + 1).trim();
      if (value.startsWith("[") && value.endsWith("]")) {
        value = value.substring(1, value.length() - 1).trim();
      }
      out.put(item.substring(0, eq).trim(), value);
    }
    return out;
  }

  /** The SET and DELETE operations the flags ask for. */
  static List<AlterConfigOp> alterOps(ToolArgs a) {
    Map<String, String> add = new LinkedHashMap<>();
    if (a.has("--add-config")) {
      add.putAll(parseAddConfig(a.get("--add-config")));
    }
    if (a.has("--add-config-file")) {
      Properties p = new Properties();
      ToolArgs.loadFile(a.get("--add-config-file"), p);
      new TreeSet<>(p.stringPropertyNames())
          .forEach(k -> add.put(k.trim(), p.getProperty(k).trim()));
    }
    List<String> delete = new ArrayList<>();
    if (a.has("--delete-config")) {
      for (String k : a.get("--delete-config").split(",")) {
        if (!k.isBlank()) {
          delete.add(k.trim());
        }
      }
    }
    List<String> both = delete.stream().filter(add::containsKey).toList();
    if (!both.isEmpty()) {
      throw new UsageException("Config key(s) both added and deleted: " + String.join(",", both));
    }
    List<AlterConfigOp> ops = new ArrayList<>();
    add.forEach(
        (k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    delete.forEach(
        k -> ops.add(new AlterConfigOp(new ConfigEntry(k, ""), AlterConfigOp.OpType.DELETE)));
    return ops;
  }

  private static int execute(String[] args, PrintStream out, Function<Properties, Admin> admins)
      throws Exception {
    ToolArgs a = parse(args);
    if (a.has("--help")) {
      out.println(USAGE);
      return 0;
    }
    Target target = check(a);
    List<AlterConfigOp> ops = a.has("--alter") ? alterOps(a) : List.of();
    long timeoutMs = a.getLong("--timeout", 30_000);
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--command-config"), props);
    props.put("bootstrap.servers", a.required("--bootstrap-server"));
    props.putIfAbsent("default.api.timeout.ms", Long.toString(timeoutMs));
    try (Admin admin = admins.apply(props)) {
      if (a.has("--alter")) {
        ConfigResource r = new ConfigResource(target.type(), target.name());
        Map<ConfigResource, Collection<AlterConfigOp>> changes = Map.of(r, ops);
        admin
            .incrementalAlterConfigs(changes)
            .all()
            .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        out.println(
            target.isDefault()
                ? "Completed updating default config for brokers in the cluster."
                : "Completed updating config for "
                    + entityName(target.type())
                    + " "
                    + target.name()
                    + ".");
        return 0;
      }
      List<String> names = new ArrayList<>();
      if (target.name() != null) {
        names.add(target.name());
      } else if (target.type() == ConfigResource.Type.TOPIC) {
        names.addAll(
            new TreeSet<>(
                admin
                    .listTopics()
                    .names()
                    .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS)));
      } else {
        new TreeSet<>(
                admin
                    .describeCluster()
                    .nodes()
                    .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS)
                    .stream()
                    .map(Node::id)
                    .toList())
            .forEach(id -> names.add(Integer.toString(id)));
        names.add("");
      }
      for (String n : names) {
        ConfigResource r = new ConfigResource(target.type(), n);
        Config c =
            admin
                .describeConfigs(List.of(r))
                .all()
                .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS)
                .get(r);
        describe(new Target(target.type(), n), c, a.has("--all"), out);
      }
      return 0;
    }
  }

  private static String entityName(ConfigResource.Type t) {
    return t == ConfigResource.Type.TOPIC ? "topic" : "broker";
  }

  /** Kafka's describe block of one resource. */
  static void describe(Target t, Config config, boolean all, PrintStream out) {
    ConfigEntry.ConfigSource dynamic =
        t.type() == ConfigResource.Type.TOPIC
            ? ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
            : t.isDefault()
                ? ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
                : ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG;
    String what = t.isDefault() ? "brokers in the cluster" : entityName(t.type()) + " " + t.name();
    out.println(
        (t.isDefault() ? (all ? "All default" : "Default") : (all ? "All" : "Dynamic"))
            + " configs for "
            + what
            + " are:");
    config.entries().stream()
        .filter(e -> all || e.source() == dynamic)
        .sorted((x, y) -> x.name().compareTo(y.name()))
        .forEach(e -> out.println(entryLine(e)));
  }

  /** {@code " k=v sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:k=v}"}. */
  static String entryLine(ConfigEntry e) {
    String value = e.isSensitive() ? "null" : e.value();
    return "  "
        + e.name()
        + "="
        + value
        + " sensitive="
        + e.isSensitive()
        + " synonyms={"
        + (e.source() == ConfigEntry.ConfigSource.UNKNOWN
            ? ""
            : e.source() + ":" + e.name() + "=" + value)
        + "}";
  }
}
