package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AlterConfigOpType;
import io.brook.protocol.v1.AlterConfigsResource;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterableConfig;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigResourceType;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IncrementalAlterConfigs in the controller, against a real (curator-test) ZooKeeper and fake
 * brokers: topic and broker znodes, UpdateMetadata to every broker, refusals leave znodes as they
 * were.
 */
class ConfigChangeControllerTest {
  private ZkTestSupport zk;
  private MetadataStore store;
  private FakeBroker b1;
  private FakeBroker b2;
  private Controller c;

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
    store = new MetadataStore(zk.client());
    b1 = zk.closeLater(new FakeBroker(1, zk.client()));
    b2 = zk.closeLater(new FakeBroker(2, zk.client()));
    ControllerConfig cfg =
        ControllerConfig.fromProperties(
            1, Map.of("request.timeout.ms", "5000", "retry.backoff.ms", "50"));
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    c = zk.closeLater(new Controller(cfg, zk.client(), channels, Time.SYSTEM, new Random(1)));
    c.start();
    waitFor(c::isActive, "controller active");
    var created =
        c.createTopics(
                CreateTopicsRequest.newBuilder()
                    .addTopics(
                        CreatableTopic.newBuilder()
                            .setName("t")
                            .setNumPartitions(2)
                            .setReplicationFactor(2)
                            .putConfigs("cleanup.policy", "delete"))
                    .setTimeoutMs(10_000)
                    .build())
            .get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, created.getTopics(0).getError());
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  static AlterableConfig op(String k, AlterConfigOpType type, String v) {
    return AlterableConfig.newBuilder().setName(k).setOp(type).setValue(v).build();
  }

  static AlterableConfig set(String k, String v) {
    return op(k, AlterConfigOpType.SET, v);
  }

  static AlterableConfig delete(String k) {
    return op(k, AlterConfigOpType.DELETE, "");
  }

  private AlterConfigsResourceResult alter(
      ConfigResourceType type, String name, boolean validateOnly, AlterableConfig... ops)
      throws Exception {
    return c.incrementalAlterConfigs(
            IncrementalAlterConfigsRequest.newBuilder()
                .setValidateOnly(validateOnly)
                .addResources(
                    AlterConfigsResource.newBuilder()
                        .setResource(ConfigResource.newBuilder().setType(type).setName(name))
                        .addAllConfigs(List.of(ops)))
                .build())
        .get(30, TimeUnit.SECONDS)
        .getResults(0);
  }

  private Map<String, String> topicConfig() {
    return store.topicConfig("t");
  }

  private Optional<Versioned<byte[]>> znode(String path) {
    return store.read(path);
  }

  @Test
  void topicSetDeleteAppendSubtractAreWrittenAndAnnounced() throws Exception {
    AlterConfigsResourceResult r =
        alter(
            ConfigResourceType.TOPIC,
            "t",
            false,
            set("retention.ms", "1000"),
            set("max.message.bytes", "2048"),
            op("cleanup.policy", AlterConfigOpType.APPEND, "compact"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(
        Map.of(
            "retention.ms",
            "1000",
            "max.message.bytes",
            "2048",
            "cleanup.policy",
            "delete,compact"),
        topicConfig());
    for (FakeBroker fb : List.of(b1, b2)) {
      waitFor(
          () ->
              fb.updateMetadata.stream()
                  .flatMap(u -> u.getTopicsList().stream())
                  .anyMatch(
                      t ->
                          t.getTopic().equals("t")
                              && "1000".equals(t.getConfigsMap().get("retention.ms"))),
          "UpdateMetadata with retention.ms=1000 to broker " + fb.id);
    }

    r =
        alter(
            ConfigResourceType.TOPIC,
            "t",
            false,
            delete("max.message.bytes"),
            op("cleanup.policy", AlterConfigOpType.SUBTRACT, "delete"),
            op("leader.replication.throttled.replicas", AlterConfigOpType.APPEND, "0:1,1:2"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(
        Map.of(
            "retention.ms",
            "1000",
            "cleanup.policy",
            "compact",
            "leader.replication.throttled.replicas",
            "0:1,1:2"),
        topicConfig());
  }

  @Test
  void topicRefusalsChangeNothing() throws Exception {
    assertEquals(
        ErrorCode.NONE,
        alter(ConfigResourceType.TOPIC, "t", false, set("retention.ms", "5")).getError());
    Versioned<byte[]> before = znode(ZkPaths.topicConfigPath("t")).orElseThrow();

    AlterConfigsResourceResult unknown =
        alter(ConfigResourceType.TOPIC, "t", false, set("retention.ms", "7"), set("x.y", "1"));
    assertEquals(ErrorCode.INVALID_CONFIG, unknown.getError());
    assertEquals("Unknown topic config 'x.y'", unknown.getErrorMessage());

    AlterConfigsResourceResult bad =
        alter(ConfigResourceType.TOPIC, "t", false, set("retention.ms", "soon"));
    assertEquals(ErrorCode.INVALID_CONFIG, bad.getError());
    assertEquals(
        "Invalid value soon for configuration retention.ms: Not a number of type LONG",
        bad.getErrorMessage());

    AlterConfigsResourceResult throttle =
        alter(
            ConfigResourceType.TOPIC,
            "t",
            false,
            set("follower.replication.throttled.replicas", "0-1"));
    assertEquals(ErrorCode.INVALID_CONFIG, throttle.getError());
    assertTrue(throttle.getErrorMessage().contains("follower.replication.throttled.replicas"));

    AlterConfigsResourceResult notList =
        alter(
            ConfigResourceType.TOPIC,
            "t",
            false,
            op("retention.ms", AlterConfigOpType.APPEND, "1"));
    assertEquals(ErrorCode.INVALID_CONFIG, notList.getError());

    AlterConfigsResourceResult twice =
        alter(
            ConfigResourceType.TOPIC, "t", false, set("retention.ms", "1"), delete("retention.ms"));
    assertEquals(ErrorCode.INVALID_REQUEST, twice.getError());

    AlterConfigsResourceResult validateOnly =
        alter(ConfigResourceType.TOPIC, "t", true, set("retention.ms", "9"));
    assertEquals(ErrorCode.NONE, validateOnly.getError());

    AlterConfigsResourceResult missing =
        alter(ConfigResourceType.TOPIC, "nope", false, set("retention.ms", "9"));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, missing.getError());

    Versioned<byte[]> after = znode(ZkPaths.topicConfigPath("t")).orElseThrow();
    assertEquals(before.version(), after.version());
    assertEquals(Map.of("retention.ms", "5", "cleanup.policy", "delete"), topicConfig());
  }

  @Test
  void brokerConfigsPerBrokerAndDefault() throws Exception {
    String p1 = ZkPaths.brokerConfigPath("1");
    String def = ZkPaths.brokerConfigPath(ZkPaths.DEFAULT_BROKER_ENTITY);
    assertTrue(znode(p1).isEmpty());

    AlterConfigsResourceResult r =
        alter(
            ConfigResourceType.BROKER,
            "1",
            false,
            set("leader.replication.throttled.rate", "1000"),
            set("follower.replication.throttled.rate", "2000"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(
        Map.of(
            "leader.replication.throttled.rate", "1000",
            "follower.replication.throttled.rate", "2000"),
        ZkPaths.decodeConfig(znode(p1).orElseThrow().value()));

    r = alter(ConfigResourceType.BROKER, "", false, set("log.retention.ms", "60000"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(
        Map.of("log.retention.ms", "60000"),
        ZkPaths.decodeConfig(znode(def).orElseThrow().value()));

    // A broker that never registered is accepted (configured before it starts).
    r = alter(ConfigResourceType.BROKER, "9", false, set("log.retention.ms", "1"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());

    // The last key going deletes the znode.
    r =
        alter(
            ConfigResourceType.BROKER,
            "1",
            false,
            delete("leader.replication.throttled.rate"),
            delete("follower.replication.throttled.rate"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertTrue(znode(p1).isEmpty());
  }

  @Test
  void brokerRefusalsChangeNothing() throws Exception {
    String p2 = ZkPaths.brokerConfigPath("2");
    assertEquals(
        ErrorCode.NONE,
        alter(ConfigResourceType.BROKER, "2", false, set("log.retention.ms", "5")).getError());
    Versioned<byte[]> before = znode(p2).orElseThrow();

    AlterConfigsResourceResult statics =
        alter(
            ConfigResourceType.BROKER,
            "2",
            false,
            set("log.retention.ms", "7"),
            set("broker.id", "3"));
    assertEquals(ErrorCode.INVALID_CONFIG, statics.getError());
    assertEquals("Cannot update these configs dynamically: [broker.id]", statics.getErrorMessage());

    AlterConfigsResourceResult unknown =
        alter(ConfigResourceType.BROKER, "2", false, set("foo", "1"));
    assertEquals("Unknown broker config 'foo'", unknown.getErrorMessage());

    AlterConfigsResourceResult bad =
        alter(ConfigResourceType.BROKER, "2", false, set("leader.replication.throttled.rate", "x"));
    assertEquals(ErrorCode.INVALID_CONFIG, bad.getError());
    assertEquals(
        "Invalid value x for configuration leader.replication.throttled.rate: Not a number of type"
            + " LONG",
        bad.getErrorMessage());

    AlterConfigsResourceResult notNumber =
        alter(ConfigResourceType.BROKER, "two", false, set("log.retention.ms", "1"));
    assertEquals(ErrorCode.INVALID_REQUEST, notNumber.getError());

    AlterConfigsResourceResult validateOnly =
        alter(ConfigResourceType.BROKER, "2", true, delete("log.retention.ms"));
    assertEquals(ErrorCode.NONE, validateOnly.getError());

    Versioned<byte[]> after = znode(p2).orElseThrow();
    assertEquals(before.version(), after.version());
    assertEquals(Map.of("log.retention.ms", "5"), ZkPaths.decodeConfig(after.value()));
    assertFalse(znode(ZkPaths.brokerConfigPath("3")).isPresent());
  }

  @Test
  void aStrayKeyInTheZnodeDoesNotBlockOtherChangesAndCanBeDeleted() throws Exception {
    // written by hand (or by a newer version): the controller never writes an unknown key
    String path = io.brook.metadata.zk.ZkPaths.topicConfigPath("t");
    zk.client()
        .setData()
        .forPath(
            path,
            io.brook.metadata.zk.ZkPaths.encodeConfig(
                Map.of("cleanup.policy", "delete", "future.config", "x")));
    AlterConfigsResourceResult r =
        alter(ConfigResourceType.TOPIC, "t", false, set("retention.ms", "1000"));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(
        Map.of("cleanup.policy", "delete", "future.config", "x", "retention.ms", "1000"),
        topicConfig());

    AlterConfigsResourceResult unknownSet =
        alter(ConfigResourceType.TOPIC, "t", false, set("future.config", "y"));
    assertEquals(ErrorCode.INVALID_CONFIG, unknownSet.getError());

    AlterConfigsResourceResult removed =
        alter(ConfigResourceType.TOPIC, "t", false, delete("future.config"));
    assertEquals(ErrorCode.NONE, removed.getError(), removed.getErrorMessage());
    assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", "1000"), topicConfig());
  }

  @Test
  void describeLine() {
    assertEquals(
        "a=2, c=3, b deleted",
        ConfigChangeHandler.describe(
            Map.of("a", "1", "b", "1"), new java.util.TreeMap<>(Map.of("a", "2", "c", "3"))));
  }
}
