package io.brook.controller;

import static io.brook.controller.zk.FencedZkWriter.op;

import io.brook.controller.zk.FencedZkWriter;
import io.brook.metadata.config.BrokerDynamicConfigs;
import io.brook.metadata.config.ConfigType;
import io.brook.metadata.config.TopicConfig;
import io.brook.metadata.config.TopicConfigs;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.MetadataStoreException;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AlterConfigsResource;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterableConfig;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.CreateMode;

/**
 * IncrementalAlterConfigs on the controller thread: SET / DELETE / APPEND / SUBTRACT on topic
 * overrides ({@code /config/topics/<t>}) and dynamic broker configs ({@code /config/brokers/<id>},
 * {@code /config/brokers/<default>}). Each resource is all-or-nothing: every entry is validated
 * (unknown key, bad value, static broker key, list operation on a non-list key, key named twice)
 * before its znode is written with one fenced, version-conditional write. A changed topic is
 * announced to every live broker with an UpdateMetadata delta (through {@code announceTopic});
 * brokers learn broker config changes from their ZooKeeper watch.
 *
 * <p>Not thread-safe: used on the controller event thread only.
 */
final class ConfigChangeHandler {
  private static final Logger log = LogManager.getLogger(ConfigChangeHandler.class);

  private final ControllerContext ctx;
  private final MetadataStore store;
  private final FencedZkWriter writer;
  private final Map<String, String> brokerProps;
  private final Predicate<String> beingDeleted;
  private final Consumer<String> announceTopic;

  ConfigChangeHandler(
      ControllerContext ctx,
      MetadataStore store,
      FencedZkWriter writer,
      Map<String, String> brokerProps,
      Predicate<String> beingDeleted,
      Consumer<String> announceTopic) {
    this.ctx = ctx;
    this.store = store;
    this.writer = writer;
    this.brokerProps = brokerProps;
    this.beingDeleted = beingDeleted;
    this.announceTopic = announceTopic;
  }

  /** A refusal of one resource. */
  private static final class Refused extends RuntimeException {
    final ErrorCode code;

    Refused(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  IncrementalAlterConfigsResponse handle(IncrementalAlterConfigsRequest req) {
    IncrementalAlterConfigsResponse.Builder out = IncrementalAlterConfigsResponse.newBuilder();
    for (AlterConfigsResource r : req.getResourcesList()) {
      ConfigResource res = r.getResource();
      AlterConfigsResourceResult.Builder result =
          AlterConfigsResourceResult.newBuilder().setResource(res).setError(ErrorCode.NONE);
      try {
        switch (res.getType()) {
          case TOPIC -> alterTopic(res.getName(), r.getConfigsList(), req.getValidateOnly());
          case BROKER -> alterBroker(res.getName(), r.getConfigsList(), req.getValidateOnly());
          default ->
              throw new Refused(
                  ErrorCode.INVALID_REQUEST, "Unsupported config resource type " + res.getType());
        }
      } catch (Refused e) {
        log.info(
            "Refused config change of {} {}: {}", res.getType(), res.getName(), e.getMessage());
        result.setError(e.code).setErrorMessage(e.getMessage());
      } catch (MetadataStoreException e) {
        log.warn("Config change of {} {} failed: {}", res.getType(), res.getName(), e.toString());
        result.setError(ErrorCode.UNKNOWN_SERVER_ERROR).setErrorMessage(e.getMessage());
      }
      out.addResults(result);
    }
    return out.build();
  }

  // ---------------------------------------------------------------- topics

  private void alterTopic(String topic, List<AlterableConfig> ops, boolean validateOnly) {
    if (!ctx.topics.containsKey(topic) || beingDeleted.test(topic)) {
      throw new Refused(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + topic + "' does not exist.");
    }
    checkDuplicates(ops);
    String path = ZkPaths.topicConfigPath(topic);
    Optional<Versioned<byte[]>> current = store.read(path);
    Map<String, String> before = current.map(v -> ZkPaths.decodeConfig(v.value())).orElse(Map.of());
    Map<String, String> after = new TreeMap<>(before);
    List<String> errors = new ArrayList<>();
    for (AlterableConfig op : ops) {
      String key = op.getName();
      Optional<TopicConfig> def = TopicConfigs.get(key);
      if (def.isEmpty()) {
        if (op.getOp() == io.brook.protocol.v1.AlterConfigOpType.DELETE && after.containsKey(key)) {
          after.remove(key); // a stray key written by hand (or by a newer version) may be removed
        } else {
          errors.add("Unknown topic config '" + key + "'");
        }
        continue;
      }
      String base =
          after.containsKey(key)
              ? after.get(key)
              : TopicConfigs.brokerDefault(def.get(), brokerProps);
      apply(op, def.get().type(), base, after, errors);
    }
    // Only the keys this request touches are validated: a stray key already stored (hand-edited,
    // or from a newer version during a rolling upgrade) must not block every later change.
    Map<String, String> touched = new TreeMap<>();
    Map<String, String> untouched = new TreeMap<>();
    Set<String> names = new TreeSet<>();
    ops.forEach(o -> names.add(o.getName()));
    after.forEach((k, v) -> (names.contains(k) ? touched : untouched).put(k, v));
    List<String> invalid = errors.isEmpty() ? TopicConfigs.validate(touched) : List.of();
    if (!errors.isEmpty() || !invalid.isEmpty()) {
      errors.addAll(invalid);
      throw new Refused(ErrorCode.INVALID_CONFIG, String.join("; ", errors));
    }
    after = new TreeMap<>(untouched);
    after.putAll(TopicConfigs.normalize(touched));
    if (validateOnly || after.equals(before)) {
      return;
    }
    byte[] data = ZkPaths.encodeConfig(after);
    CuratorOp write =
        current.isPresent()
            ? op(
                () ->
                    writer.ops().setData().withVersion(current.get().version()).forPath(path, data))
            : op(() -> writer.ops().create().withMode(CreateMode.PERSISTENT).forPath(path, data));
    writer.write(List.of(write));
    ctx.configs.put(topic, Map.copyOf(after));
    log.info("Updated config of topic {}: {}", topic, describe(before, after));
    announceTopic.accept(topic);
  }

  // ---------------------------------------------------------------- brokers

  private void alterBroker(String name, List<AlterableConfig> ops, boolean validateOnly) {
    String entity;
    if (name.isEmpty() || name.equals(ZkPaths.DEFAULT_BROKER_ENTITY)) {
      entity = ZkPaths.DEFAULT_BROKER_ENTITY;
    } else {
      try {
        int id = Integer.parseInt(name.trim());
        if (id < 0) {
          throw new NumberFormatException();
        }
        entity = Integer.toString(id);
      } catch (NumberFormatException e) {
        throw new Refused(
            ErrorCode.INVALID_REQUEST,
            "Broker id '" + name + "' is not a number (use \"\" for the cluster default)");
      }
    }
    checkDuplicates(ops);
    String path = ZkPaths.brokerConfigPath(entity);
    Optional<Versioned<byte[]>> current = store.read(path);
    Map<String, String> before = current.map(v -> ZkPaths.decodeConfig(v.value())).orElse(Map.of());
    Map<String, String> after = new TreeMap<>(before);
    List<String> errors = new ArrayList<>();
    Set<String> statics = new TreeSet<>();
    for (AlterableConfig op : ops) {
      String key = op.getName();
      if (BrokerDynamicConfigs.isStatic(key)) {
        statics.add(key);
        continue;
      }
      Optional<BrokerDynamicConfigs.Def> def = BrokerDynamicConfigs.get(key);
      if (def.isEmpty()) {
        if (op.getOp() == io.brook.protocol.v1.AlterConfigOpType.DELETE && after.containsKey(key)) {
          after.remove(key); // a stray key written by hand may always be removed
        } else {
          errors.add("Unknown broker config '" + key + "'");
        }
        continue;
      }
      String base = after.getOrDefault(key, brokerProps.getOrDefault(key, ""));
      apply(op, def.get().type(), base, after, errors);
    }
    if (!statics.isEmpty()) {
      errors.add(0, "Cannot update these configs dynamically: " + new ArrayList<>(statics));
    }
    Map<String, String> normalized = new TreeMap<>();
    if (errors.isEmpty()) {
      for (Map.Entry<String, String> e : after.entrySet()) {
        if (!BrokerDynamicConfigs.isDynamic(e.getKey())) {
          normalized.put(e.getKey(), e.getValue()); // untouched stray key
          continue;
        }
        try {
          normalized.put(e.getKey(), BrokerDynamicConfigs.parse(e.getKey(), e.getValue()));
        } catch (IllegalArgumentException ex) {
          errors.add(ex.getMessage());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new Refused(ErrorCode.INVALID_CONFIG, String.join("; ", errors));
    }
    if (validateOnly || normalized.equals(before)) {
      return;
    }
    byte[] data = ZkPaths.encodeConfig(normalized);
    List<CuratorOp> write = new ArrayList<>();
    if (current.isPresent() && normalized.isEmpty()) {
      write.add(op(() -> writer.ops().delete().withVersion(current.get().version()).forPath(path)));
    } else if (current.isPresent()) {
      write.add(
          op(
              () ->
                  writer.ops().setData().withVersion(current.get().version()).forPath(path, data)));
    } else {
      store.ensurePath(ZkPaths.CONFIG_BROKERS);
      write.add(
          op(() -> writer.ops().create().withMode(CreateMode.PERSISTENT).forPath(path, data)));
    }
    writer.write(write);
    if (entity.equals(ZkPaths.DEFAULT_BROKER_ENTITY)) {
      ctx.dynamicDefault = Map.copyOf(normalized);
    } else if (entity.equals(Integer.toString(ctx.controllerId))) {
      ctx.dynamicOwn = Map.copyOf(normalized);
    }
    log.info(
        "Updated config of {}: {}",
        entity.equals(ZkPaths.DEFAULT_BROKER_ENTITY) ? "brokers <default>" : "broker " + entity,
        describe(before, normalized));
  }

  // ---------------------------------------------------------------- helpers

  private static void checkDuplicates(List<AlterableConfig> ops) {
    Set<String> seen = new HashSet<>();
    for (AlterableConfig op : ops) {
      if (!seen.add(op.getName())) {
        throw new Refused(
            ErrorCode.INVALID_REQUEST, "Config '" + op.getName() + "' is named twice");
      }
    }
  }

  /** Applies one operation to {@code after}; list operations need a LIST key. */
  private static void apply(
      AlterableConfig op,
      ConfigType type,
      String base,
      Map<String, String> after,
      List<String> errors) {
    String key = op.getName();
    switch (op.getOp()) {
      case SET -> after.put(key, op.getValue());
      case DELETE -> after.remove(key);
      case APPEND, SUBTRACT -> {
        if (type != ConfigType.LIST) {
          errors.add(
              "Config '"
                  + key
                  + "' is not a list: "
                  + op.getOp()
                  + " applies to list configs only");
          return;
        }
        Set<String> items = items(base);
        if (op.getOp() == io.brook.protocol.v1.AlterConfigOpType.APPEND) {
          items.addAll(items(op.getValue()));
        } else {
          items.removeAll(items(op.getValue()));
        }
        if (items.isEmpty()) {
          after.remove(key);
        } else {
          after.put(key, String.join(",", items));
        }
      }
      default -> errors.add("Unsupported operation " + op.getOp() + " on config '" + key + "'");
    }
  }

  private static Set<String> items(String list) {
    Set<String> out = new LinkedHashSet<>();
    if (list == null) {
      return out;
    }
    Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  /** {@code a=1, b deleted} for the log line. */
  static String describe(Map<String, String> before, Map<String, String> after) {
    List<String> parts = new ArrayList<>();
    after.forEach(
        (k, v) -> {
          if (!v.equals(before.get(k))) {
            parts.add(k + "=" + v);
          }
        });
    before.keySet().stream()
        .filter(k -> !after.containsKey(k))
        .forEach(k -> parts.add(k + " deleted"));
    return String.join(", ", parts);
  }
}
