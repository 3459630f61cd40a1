package io.brook.client.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brook.client.tools.ToolArgs.UsageException;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Kafka's JSON files of kafka-reassign-partitions.sh and kafka-leader-election.sh, read and
 * written:
 *
 * <ul>
 *   <li>reassignment: {@code {"version":1,"partitions":[{"topic":"t","partition":0,
 *       "replicas":[2,3,4],"log_dirs":["any","any","any"]}]}} ({@code log_dirs} optional; Brook has
 *       one log directory per broker, so only "any" is accepted);
 *   <li>topics to move: {@code {"version":1,"topics":[{"topic":"t"}]}};
 *   <li>election partitions: {@code {"partitions":[{"topic":"t","partition":1}]}}.
 * </ul>
 *
 * Every problem is a {@link UsageException} whose message says what is wrong where. Stateless.
 */
final class ReassignmentJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReassignmentJson() {}

  private static JsonNode parse(String json, String what) {
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || !root.isObject()) {
        throw new UsageException("Invalid " + what + ": expected a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      String m = e.getOriginalMessage();
      throw new UsageException(
          "Invalid JSON in "
              + what
              + " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "): "
              + m.lines().findFirst().orElse(m));
    }
  }

  private static void checkVersion(JsonNode root, String what) {
    JsonNode v = root.get("version");
    if (v != null && (!v.canConvertToInt() || v.asInt() != 1)) {
      throw new UsageException("Unsupported version " + v + " of " + what + " (expected 1)");
    }
  }

  private static JsonNode array(JsonNode root, String field, String what) {
    JsonNode a = root.get(field);
    if (a == null || !a.isArray()) {
      throw new UsageException("Invalid " + what + ": missing array \"" + field + "\"");
    }
    return a;
  }

  private static String topic(JsonNode entry, String what) {
    JsonNode t = entry.get("topic");
    if (t == null || !t.isTextual() || t.asText().isEmpty()) {
      throw new UsageException("Invalid " + what + ": entry " + entry + " has no \"topic\"");
    }
    return t.asText();
  }

  private static int partition(JsonNode entry, String what) {
    JsonNode p = entry.get("partition");
    if (p == null || !p.isIntegralNumber() || p.asInt() < 0) {
      throw new UsageException(
          "Invalid " + what + ": entry " + entry + " has no valid \"partition\"");
    }
    return p.asInt();
  }

  /**
   * The target replicas per partition, in the file's order. Refuses an empty list, duplicate
   * partitions, duplicate replicas and log_dirs other than "any".
   */
  static Map<TopicPartition, List<Integer>> parseReassignment(String json) {
    String what = "reassignment JSON";
    JsonNode root = parse(json, what);
    checkVersion(root, what);
    Map<TopicPartition, List<Integer>> out = new LinkedHashMap<>();
    Set<TopicPartition> duplicates = new LinkedHashSet<>();
    for (JsonNode e : array(root, "partitions", what)) {
      TopicPartition tp = new TopicPartition(topic(e, what), partition(e, what));
      JsonNode rs = e.get("replicas");
      if (rs == null || !rs.isArray()) {
        throw new UsageException("Invalid " + what + ": partition " + tp + " has no \"replicas\"");
      }
      List<Integer> replicas = new ArrayList<>();
      for (JsonNode r : rs) {
        if (!r.isIntegralNumber()) {
          throw new UsageException(
              "Invalid " + what + ": replica " + r + " of partition " + tp + " is not a broker id");
        }
        replicas.add(r.asInt());
      }
      if (replicas.isEmpty()) {
        throw new UsageException("Partition " + tp + " has an empty replica list");
      }
      Set<Integer> seen = new HashSet<>();
      for (int r : replicas) {
        if (!seen.add(r)) {
          throw new UsageException(
              "Partition replica lists may not contain duplicate entries: "
                  + tp
                  + " contains "
                  + r);
        }
      }
      JsonNode dirs = e.get("log_dirs");
      if (dirs != null) {
        if (!dirs.isArray() || dirs.size() != replicas.size()) {
          throw new UsageException(
              "Partition " + tp + ": log_dirs must have one entry per replica");
        }
        for (JsonNode d : dirs) {
          if (!"any".equals(d.asText())) {
            throw new UsageException(
                "Partition "
                    + tp
                    + ": log_dirs "
                    + d
                    + " is not supported (Brook brokers have one log directory: use \"any\")");
          }
        }
      }
      if (out.put(tp, List.copyOf(replicas)) != null) {
        duplicates.add(tp);
      }
    }
    if (!duplicates.isEmpty()) {
      throw new UsageException(
          "Partition reassignment contains duplicate topic partitions: " + join(duplicates));
    }
    if (out.isEmpty()) {
      throw new UsageException("Partition reassignment list cannot be empty");
    }
    return out;
  }

  /** The topic names of a topics-to-move file, in order, without duplicates. */
  static List<String> parseTopicsToMove(String json) {
    String what = "topics-to-move JSON";
    JsonNode root = parse(json, what);
    checkVersion(root, what);
    Set<String> topics = new LinkedHashSet<>();
    for (JsonNode e : array(root, "topics", what)) {
      topics.add(topic(e, what));
    }
    if (topics.isEmpty()) {
      throw new UsageException("List of topics to reassign cannot be empty");
    }
    return List.copyOf(topics);
  }

  /** The partitions of an election file, in order, without duplicates. */
  static Set<TopicPartition> parseElectionPartitions(String json) {
    String what = "partitions JSON";
    JsonNode root = parse(json, what);
    Set<TopicPartition> out = new LinkedHashSet<>();
    Set<TopicPartition> duplicates = new LinkedHashSet<>();
    for (JsonNode e : array(root, "partitions", what)) {
      TopicPartition tp = new TopicPartition(topic(e, what), partition(e, what));
      if (!out.add(tp)) {
        duplicates.add(tp);
      }
    }
    if (!duplicates.isEmpty()) {
      throw new UsageException(
          "Replica election data contains duplicate partitions: " + join(duplicates));
    }
    if (out.isEmpty()) {
      throw new UsageException("Replica election data is empty");
    }
    return out;
  }

  /**
   * Kafka's reassignment JSON of {@code assignment} (sorted by topic and partition, every log dir
   * "any"), on one line.
   */
  static String format(Map<TopicPartition, List<Integer>> assignment) {
    StringBuilder b = new StringBuilder("{\"version\":1,\"partitions\":[");
    boolean first = true;
    for (Map.Entry<TopicPartition, List<Integer>> e : new TreeMap<>(assignment).entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      List<Integer> rs = e.getValue();
      b.append("{\"topic\":")
          .append(quote(e.getKey().topic()))
          .append(",\"partition\":")
          .append(e.getKey().partition())
          .append(",\"replicas\":[")
          .append(rs.stream().map(String::valueOf).collect(Collectors.joining(",")))
          .append("],\"log_dirs\":[")
          .append(rs.stream().map(r -> "\"any\"").collect(Collectors.joining(",")))
          .append("]}");
    }
    return b.append("]}").toString();
  }

  private static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** "t-0,t-1" (sorted). */
  static String join(Iterable<TopicPartition> partitions) {
    List<TopicPartition> l = new ArrayList<>();
    partitions.forEach(l::add);
    return l.stream().sorted().map(TopicPartition::toString).collect(Collectors.joining(","));
  }
}
