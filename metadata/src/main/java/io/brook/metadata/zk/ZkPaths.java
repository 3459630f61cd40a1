package io.brook.metadata.zk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brook.metadata.BrokerInfo;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Every znode path Brook uses and the JSON codec of its payload: the one place that defines the
 * ZooKeeper layout (DESIGN.md, "ZooKeeper layout"). Paths are relative to the chroot, which is
 * applied by the Curator namespace or the connect string. Every payload carries {@code "version"}.
 * Stateless and thread-safe.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>path</th><th>kind</th><th>payload</th></tr>
 *   <tr><td>/cluster/id</td><td>persistent</td><td>{"version":1,"id":"Base64 UUID"}</td></tr>
 *   <tr><td>/brokers/ids/&lt;id&gt;</td><td>ephemeral</td>
 *       <td>{"version":1,"host":"h","port":9092,"endpoints":["PLAINTEXT://h:9092"],"rack":null,
 *       "timestamp":"ms"}; the broker epoch is the znode's czxid</td></tr>
 *   <tr><td>/brokers/topics/&lt;t&gt;</td><td>persistent</td>
 *       <td>{"version":1,"topic_id":"uuid","partitions":{"0":[1,2]},"adding_replicas":{},
 *       "removing_replicas":{}}; during a reassignment of partition 0 from [1,2] to [2,3]:
 *       "partitions":{"0":[2,3,1]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[1]}</td>
 *       </tr>
 *   <tr><td>/brokers/topics/&lt;t&gt;/partitions/&lt;p&gt;/state</td><td>persistent</td>
 *       <td>{"version":1,"leader":1,"leader_epoch":3,"isr":[1,2],"controller_epoch":2}; the znode
 *       version is the partition epoch</td></tr>
 *   <tr><td>/config/topics/&lt;t&gt;, /config/brokers/&lt;id&gt;,
 *       /config/brokers/&lt;default&gt;</td><td>persistent</td>
 *       <td>{"version":1,"config":{"retention.ms":"1000"}}</td></tr>
 *   <tr><td>/controller_election</td><td>LeaderLatch</td><td>the latch's sequential nodes</td></tr>
 *   <tr><td>/controller</td><td>ephemeral</td>
 *       <td>{"version":1,"brokerid":1,"epoch":5,"timestamp":"ms"}</td></tr>
 *   <tr><td>/controller_epoch</td><td>persistent</td><td>{"version":1,"epoch":5}</td></tr>
 *   <tr><td>/latest_producer_id_block</td><td>persistent</td>
 *       <td>{"version":1,"broker":1,"block_start":0,"block_end":999}: the last block of producer
 *       ids handed out (block_end inclusive)</td></tr>
 *   <tr><td>/admin/delete_topics/&lt;t&gt;</td><td>persistent</td><td>{"version":1}</td></tr>
 *   <tr><td>/admin/reassign_partitions, /admin/preferred_replica_election</td><td>persistent</td>
 *       <td>/admin/reassign_partitions: Kafka's {"version":1,"partitions":[{"topic":"t",
 *       "partition":0,"replicas":[2,3,4]}]}, picked up and deleted by the controller;
 *       /admin/preferred_replica_election: not used yet</td></tr>
 * </table>
 */
public final class ZkPaths {
  public static final String CLUSTER_ID = "/cluster/id";
  public static final String BROKERS = "/brokers";
  public static final String BROKER_IDS = "/brokers/ids";
  public static final String BROKER_TOPICS = "/brokers/topics";
  public static final String CONFIG = "/config";
  public static final String CONFIG_TOPICS = "/config/topics";
  public static final String CONFIG_BROKERS = "/config/brokers";
  public static final String CONTROLLER_ELECTION = "/controller_election";
  public static final String CONTROLLER = "/controller";
  public static final String CONTROLLER_EPOCH = "/controller_epoch";
  public static final String ADMIN = "/admin";
  public static final String DELETE_TOPICS = "/admin/delete_topics";
  public static final String REASSIGN_PARTITIONS = "/admin/reassign_partitions";
  public static final String PREFERRED_REPLICA_ELECTION = "/admin/preferred_replica_election";
  public static final String LATEST_PRODUCER_ID_BLOCK = "/latest_producer_id_block";

  /** Persistent paths that exist in every cluster (created by the controller / first broker). */
  public static final List<String> PERSISTENT_PATHS =
      List.of(BROKER_IDS, BROKER_TOPICS, CONFIG_TOPICS, CONFIG_BROKERS, DELETE_TOPICS);

  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ZkPaths() {}

  // ---------------------------------------------------------------- paths

  public static String brokerPath(int brokerId) {
    return BROKER_IDS + "/" + brokerId;
  }

  public static String topicPath(String topic) {
    return BROKER_TOPICS + "/" + topic;
  }

  public static String partitionsPath(String topic) {
    return topicPath(topic) + "/partitions";
  }

  public static String partitionPath(String topic, int partition) {
    return partitionsPath(topic) + "/" + partition;
  }

  public static String partitionStatePath(String topic, int partition) {
    return partitionPath(topic, partition) + "/state";
  }

  public static String topicConfigPath(String topic) {
    return CONFIG_TOPICS + "/" + topic;
  }

  public static String brokerConfigPath(int brokerId) {
    return CONFIG_BROKERS + "/" + brokerId;
  }

  /** The entity name of the cluster-wide dynamic broker defaults (Kafka's {@code <default>}). */
  public static final String DEFAULT_BROKER_ENTITY = "<default>";

  /**
   * The config znode of a broker entity: a broker id, or {@link #DEFAULT_BROKER_ENTITY} (also for
   * the empty name) for the cluster-wide defaults.
   */
  public static String brokerConfigPath(String entity) {
    return CONFIG_BROKERS
        + "/"
        + (entity == null || entity.isEmpty() ? DEFAULT_BROKER_ENTITY : entity);
  }

  public static String deleteTopicPath(String topic) {
    return DELETE_TOPICS + "/" + topic;
  }

  // ---------------------------------------------------------------- codecs

  /** The active controller as written in /controller. */
  public record ControllerRegistration(int brokerId, int epoch) {}

  public static byte[] encodeClusterId(String id) {
    ObjectNode n = versioned();
    n.put("id", id);
    return bytes(n);
  }

  public static String decodeClusterId(byte[] data) {
    return text(parse(data), "id");
  }

  public static byte[] encodeBroker(BrokerInfo broker, long timestampMs) {
    ObjectNode n = versioned();
    n.put("host", broker.host());
    n.put("port", broker.port());
    n.putArray("endpoints").add("PLAINTEXT://" + broker.host() + ":" + broker.port());
    if (broker.rack() == null) {
      n.putNull("rack");
    } else {
      n.put("rack", broker.rack());
    }
    n.put("timestamp", Long.toString(timestampMs));
    return bytes(n);
  }

  /**
   * @param czxid the registration znode's czxid: the broker epoch
   */
  public static BrokerInfo decodeBroker(int brokerId, byte[] data, long czxid) {
    JsonNode n = parse(data);
    JsonNode rack = n.get("rack");
    return new BrokerInfo(
        brokerId,
        text(n, "host"),
        n.path("port").asInt(),
        rack == null || rack.isNull() ? null : rack.asText(),
        czxid);
  }

  public static byte[] encodeTopic(TopicAssignment assignment) {
    ObjectNode n = versioned();
    n.put("topic_id", assignment.topicId().toString());
    ObjectNode parts = n.putObject("partitions");
    assignment
        .replicas()
        .forEach(
            (p, rs) -> {
              ArrayNode a = parts.putArray(Integer.toString(p));
              rs.forEach(a::add);
            });
    putLists(n.putObject("adding_replicas"), assignment.adding());
    putLists(n.putObject("removing_replicas"), assignment.removing());
    return bytes(n);
  }

  /**
   * Decodes a topic znode. A topic written by an operator without a topic id gets {@code
   * fallbackId}; callers then write the id back.
   */
  public static TopicAssignment decodeTopic(String topic, byte[] data, UUID fallbackId) {
    JsonNode n = parse(data);
    JsonNode id = n.get("topic_id");
    return new TopicAssignment(
        topic,
        id == null || id.isNull() || id.asText().isEmpty()
            ? fallbackId
            : UUID.fromString(id.asText()),
        lists(n.path("partitions")),
        lists(n.path("adding_replicas")),
        lists(n.path("removing_replicas")));
  }

  private static void putLists(ObjectNode target, Map<Integer, List<Integer>> lists) {
    lists.forEach(
        (p, rs) -> {
          ArrayNode a = target.putArray(Integer.toString(p));
          rs.forEach(a::add);
        });
  }

  /** {"0":[1,2],...} as partition -> ids; a missing or null node is an empty map. */
  private static TreeMap<Integer, List<Integer>> lists(JsonNode node) {
    TreeMap<Integer, List<Integer>> out = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(Integer.parseInt(e.getKey()), ints(e.getValue()));
    }
    return out;
  }

  /** One partition of a reassignment request in {@value #REASSIGN_PARTITIONS}. */
  public record ReassignmentRequest(String topic, int partition, List<Integer> replicas) {
    public ReassignmentRequest {
      replicas = List.copyOf(replicas);
    }
  }

  /**
   * Encodes a reassignment request in Kafka's format: {@code
   * {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]}}.
   */
  public static byte[] encodeReassignPartitions(List<ReassignmentRequest> partitions) {
    ObjectNode n = versioned();
    ArrayNode parts = n.putArray("partitions");
    for (ReassignmentRequest r : partitions) {
      ObjectNode o = parts.addObject();
      o.put("topic", r.topic());
      o.put("partition", r.partition());
      ArrayNode a = o.putArray("replicas");
      r.replicas().forEach(a::add);
    }
    return bytes(n);
  }

  /**
   * Decodes {@value #REASSIGN_PARTITIONS} (Kafka's format; extra fields such as {@code log_dirs}
   * are ignored).
   *
   * @throws IllegalArgumentException when the payload is not such a document
   */
  public static List<ReassignmentRequest> decodeReassignPartitions(byte[] data) {
    JsonNode n = parse(data);
    JsonNode parts = n.get("partitions");
    if (parts == null || !parts.isArray()) {
      throw new IllegalArgumentException("reassignment has no \"partitions\" array");
    }
    List<ReassignmentRequest> out = new ArrayList<>();
    for (JsonNode p : parts) {
      JsonNode replicas = p.get("replicas");
      JsonNode partition = p.get("partition");
      if (replicas == null || !replicas.isArray() || partition == null || !partition.isInt()) {
        throw new IllegalArgumentException(
            "reassignment entry needs \"topic\", \"partition\" and \"replicas\": " + p);
      }
      out.add(new ReassignmentRequest(text(p, "topic"), partition.asInt(), ints(replicas)));
    }
    return out;
  }

  /** Whether a topic znode carries a topic id. */
  public static boolean hasTopicId(byte[] data) {
    JsonNode id = parse(data).get("topic_id");
    return id != null && !id.isNull() && !id.asText().isEmpty();
  }

  public static byte[] encodePartitionState(LeaderAndIsr state) {
    ObjectNode n = versioned();
    n.put("leader", state.leader());
    n.put("leader_epoch", state.leaderEpoch());
    ArrayNode isr = n.putArray("isr");
    state.isr().forEach(isr::add);
    n.put("controller_epoch", state.controllerEpoch());
    return bytes(n);
  }

  /**
   * @param zkVersion the state znode's version: the partition epoch
   */
  public static LeaderAndIsr decodePartitionState(byte[] data, int zkVersion) {
    JsonNode n = parse(data);
    return new LeaderAndIsr(
        n.path("leader").asInt(LeaderAndIsr.NO_LEADER),
        n.path("leader_epoch").asInt(),
        ints(n.path("isr")),
        n.path("controller_epoch").asInt(),
        zkVersion);
  }

  public static byte[] encodeConfig(Map<String, String> config) {
    ObjectNode n = versioned();
    ObjectNode c = n.putObject("config");
    new TreeMap<>(config).forEach(c::put);
    return bytes(n);
  }

  public static Map<String, String> decodeConfig(byte[] data) {
    Map<String, String> out = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = parse(data).path("config").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  public static byte[] encodeController(int brokerId, int epoch, long timestampMs) {
    ObjectNode n = versioned();
    n.put("brokerid", brokerId);
    n.put("epoch", epoch);
    n.put("timestamp", Long.toString(timestampMs));
    return bytes(n);
  }

  public static ControllerRegistration decodeController(byte[] data) {
    JsonNode n = parse(data);
    return new ControllerRegistration(n.path("brokerid").asInt(-1), n.path("epoch").asInt(-1));
  }

  public static byte[] encodeControllerEpoch(int epoch) {
    ObjectNode n = versioned();
    n.put("epoch", epoch);
    return bytes(n);
  }

  public static int decodeControllerEpoch(byte[] data) {
    return parse(data).path("epoch").asInt();
  }

  /**
   * A block of producer ids handed to a broker (Kafka's ProducerIdBlockZNode, KIP-730).
   *
   * @param brokerId the broker the block was handed to
   * @param blockStart the first id of the block
   * @param blockEnd the last id of the block (inclusive)
   */
  public record ProducerIdBlock(int brokerId, long blockStart, long blockEnd) {}

  public static byte[] encodeProducerIdBlock(ProducerIdBlock block) {
    ObjectNode n = versioned();
    n.put("broker", block.brokerId());
    n.put("block_start", block.blockStart());
    n.put("block_end", block.blockEnd());
    return bytes(n);
  }

  /** Reads a block; also accepts Kafka's string-valued ids. */
  public static ProducerIdBlock decodeProducerIdBlock(byte[] data) {
    JsonNode n = parse(data);
    return new ProducerIdBlock(
        n.path("broker").asInt(-1),
        Long.parseLong(n.path("block_start").asText("-1")),
        Long.parseLong(n.path("block_end").asText("-1")));
  }

  public static byte[] encodeDeleteTopicMarker() {
    return bytes(versioned());
  }

  // ---------------------------------------------------------------- helpers

  private static ObjectNode versioned() {
    ObjectNode n = JSON.createObjectNode();
    n.put("version", VERSION);
    return n;
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(byte[] data) {
    if (data == null || data.length == 0) {
      throw new IllegalArgumentException("empty znode payload");
    }
    try {
      JsonNode n = JSON.readTree(data);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("znode payload is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new IllegalArgumentException("znode payload is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("znode payload has no \"" + field + "\"");
    }
    return v.asText();
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asInt()));
    return out;
  }
}
