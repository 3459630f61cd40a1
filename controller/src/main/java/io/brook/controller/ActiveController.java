package io.brook.controller;

import static io.brook.controller.zk.FencedZkWriter.op;

import io.brook.common.Time;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.controller.election.AlterPartitionValidation;
import io.brook.controller.election.PartitionAdditionPlanner;
import io.brook.controller.election.PartitionLeaderElection;
import io.brook.controller.election.TopicCreationPlanner;
import io.brook.controller.reassign.ReassignmentManager;
import io.brook.controller.zk.FencedZkWriter;
import io.brook.metadata.BrokerInfo;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.MetadataStoreException;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionItem;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopic;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.ControlledShutdownResponse;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeletableTopicResult;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.TopicPartitionRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;

/**
 * The controller's duties during one controller epoch: created when this broker won the election
 * and claimed an epoch, discarded when it resigns. Loads the cluster from ZooKeeper, watches {@code
 * /brokers/ids}, {@code /brokers/topics} and {@code /admin/delete_topics}, decides with the pure
 * functions of {@code election}, writes through the {@link FencedZkWriter} and tells brokers
 * through {@link BrokerChannels}.
 *
 * <p>Thread rules: every method runs on the controller's event thread. ZooKeeper watchers and
 * broker responses only enqueue (through {@code enqueue}) events that call back into this object;
 * those events are dropped once it is no longer the active instance ({@link #isCurrent}).
 */
final class ActiveController {
  private static final Logger log = LogManager.getLogger(ActiveController.class);

  /** Runs an event on the controller thread if this instance is still the active one. */
  interface EventQueue {
    void enqueue(ActiveController owner, String name, Runnable event);
  }

  private final ControllerConfig cfg;
  private final MetadataStore store;
  private final FencedZkWriter writer;
  private final BrokerChannels channels;
  private final Random random;
  private final EventQueue events;
  private final Time time;
  private final ControllerContext ctx;
  private final ReassignmentManager reassignments;
  private volatile boolean current = true;

  /** Topics being deleted -> brokers that still have to acknowledge StopReplica(delete). */
  private final Map<String, Set<Integer>> deletions = new TreeMap<>();

  /** Delete requests waiting for their topics to be gone. */
  private final List<PendingDelete> pendingDeletes = new ArrayList<>();

  /** ElectLeaders and the automatic preferred-leader rebalance. */
  private final LeaderElections elections;

  private record PendingDelete(
      List<String> topics,
      Map<String, DeletableTopicResult> results,
      CompletableFuture<DeleteTopicsResponse> future) {}

  ActiveController(
      ControllerConfig cfg,
      CuratorFramework client,
      FencedZkWriter writer,
      BrokerChannels channels,
      Random random,
      EventQueue events,
      Time time) {
    this.cfg = cfg;
    this.time = time;
    this.store = new MetadataStore(client);
    this.writer = writer;
    this.channels = channels;
    this.random = random;
    this.events = events;
    this.ctx = new ControllerContext(cfg.brokerId(), writer.epoch());
    this.elections =
        new LeaderElections(
            cfg,
            ctx,
            deletions::containsKey,
            tp -> {
              TopicAssignment a = ctx.topics.get(tp.topic());
              return a != null && a.isReassigning(tp.partition());
            },
            this::applyStateChanges,
            this::announceTopics);
    this.reassignments = new ReassignmentManager(new ReassignmentHost(), store, writer);
  }

  int epoch() {
    return ctx.epoch;
  }

  boolean isCurrent() {
    return current && writer.isEnabled();
  }

  // ================================================================ failover

  /**
   * Loads the whole cluster state and tells every live broker about it. Logs one line with the
   * phases of the takeover once every live broker answered (see {@link TakeoverTimings}).
   */
  void activate() {
    long started = time.milliseconds();
    long cpuStarted = threadCpuNanos();
    store.ensurePersistentPaths();
    ctx.clusterId = store.getOrCreateClusterId();
    loadBrokers();
    ctx.dynamicDefault = readConfig(ZkPaths.brokerConfigPath(ZkPaths.DEFAULT_BROKER_ENTITY));
    ctx.dynamicOwn = readConfig(ZkPaths.brokerConfigPath(cfg.brokerId()));
    Set<String> markers =
        new TreeSet<>(childrenWatched(ZkPaths.DELETE_TOPICS, this::onDeleteTopicsChange));
    List<String> names = childrenWatched(ZkPaths.BROKER_TOPICS, this::onTopicChange);
    loadTopics(names);
    channels.updateLiveBrokers(ctx.liveBrokers.values());
    long loaded = time.milliseconds();

    Map<TopicPartition, LeaderAndIsr> changes = new HashMap<>();
    Set<Integer> eligible = ctx.eligibleIds();
    for (TopicPartition tp : ctx.allPartitions()) {
      if (deletionMarked(tp.topic(), markers)) {
        continue;
      }
      LeaderAndIsr s = ctx.states.get(tp);
      PartitionLeaderElection.onReplicasOffline(
              s,
              ctx.replicas(tp),
              eligible,
              unclean(tp.topic()),
              cfg.electLeaderOutsideIsr(),
              ctx.epoch)
          .ifPresent(n -> changes.put(tp, n));
    }
    Map<TopicPartition, LeaderAndIsr> elected = applyStateChanges(changes);
    long electedAt = time.milliseconds();

    List<CompletableFuture<?>> acks = new ArrayList<>();
    ControllerContext.RequestBatch batch = ctx.new RequestBatch();
    Map<Integer, List<TopicPartition>> hosted = ctx.replicaPartitionsByBroker();
    for (BrokerInfo b : ctx.liveBrokers.values()) {
      acks.add(sendUpdateMetadata(batch, b, true, List.of(), List.of()));
      CompletableFuture<?> f = sendLeaderAndIsr(batch, b, hosted.getOrDefault(b.id(), List.of()));
      if (f != null) {
        acks.add(f);
      }
    }
    long sent = time.milliseconds();
    long cpu = (threadCpuNanos() - cpuStarted) / 1_000_000;
    int brokers = ctx.liveBrokers.size();
    int topics = ctx.topics.size();
    int partitions = ctx.states.size();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) ->
                log.info(
                    "{}",
                    new TakeoverTimings(
                        ctx.controllerId,
                        ctx.epoch,
                        brokers,
                        topics,
                        partitions,
                        elected.size(),
                        started,
                        loaded - started,
                        electedAt - loaded,
                        sent - electedAt,
                        time.milliseconds() - started,
                        e == null,
                        cpu)));
    for (String t : markers) {
      if (ctx.topics.containsKey(t)) {
        startDeletion(t);
      } else {
        deleteMarker(t);
      }
    }
    onPreferredReplicaElectionChange();
    reassignments.activate();
  }

  /** CPU time of the calling thread, 0 where the JVM cannot measure it. */
  private static long threadCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : 0;
  }

  private Map<String, String> readConfig(String path) {
    return store.read(path).map(v -> ZkPaths.decodeConfig(v.value())).orElse(Map.of());
  }

  private static boolean deletionMarked(String topic, Set<String> markers) {
    return markers.contains(topic);
  }

  /** Stops acting: fails waiting requests and abandons in-flight broker requests. */
  void resign() {
    current = false;
    channels.abandonAll();
    for (PendingDelete p : pendingDeletes) {
      p.future().complete(deleteResponse(p, ErrorCode.NOT_CONTROLLER, "The controller moved."));
    }
    pendingDeletes.clear();
  }

  // ================================================================ watches and loading

  private List<String> childrenWatched(String path, Runnable onChange) {
    Watcher watcher =
        event -> {
          if (event.getType() != Watcher.Event.EventType.None) {
            events.enqueue(this, "change of " + path, onChange);
          }
        };
    try {
      return store.client().getChildren().usingWatcher(watcher).forPath(path);
    } catch (Exception e) {
      throw new MetadataStoreException("ZooKeeper: could not watch " + path, e);
    }
  }

  /** Reads /brokers/ids (watched) and every registration, in parallel. */
  private Map<Integer, BrokerInfo> readBrokers() {
    List<String> ids = childrenWatched(ZkPaths.BROKER_IDS, this::onBrokerChange);
    Map<Integer, CompletableFuture<Optional<Versioned<byte[]>>>> reads = new TreeMap<>();
    for (String id : ids) {
      try {
        int brokerId = Integer.parseInt(id);
        reads.put(brokerId, store.readAsync(ZkPaths.brokerPath(brokerId)));
      } catch (NumberFormatException e) {
        log.warn("Ignoring {}/{}: not a broker id", ZkPaths.BROKER_IDS, id);
      }
    }
    Map<Integer, BrokerInfo> out = new TreeMap<>();
    reads.forEach(
        (id, f) ->
            join(f).ifPresent(v -> out.put(id, ZkPaths.decodeBroker(id, v.value(), v.czxid()))));
    return out;
  }

  private void loadBrokers() {
    ctx.liveBrokers.clear();
    ctx.liveBrokers.putAll(readBrokers());
  }

  /** Loads topics (assignment, config, partition states) in parallel; repairs missing pieces. */
  private void loadTopics(Collection<String> names) {
    Map<String, CompletableFuture<Optional<Versioned<byte[]>>>> topicReads = new TreeMap<>();
    Map<String, CompletableFuture<Optional<Versioned<byte[]>>>> configReads = new TreeMap<>();
    for (String t : names) {
      topicReads.put(t, store.readAsync(ZkPaths.topicPath(t)));
      configReads.put(t, store.readAsync(ZkPaths.topicConfigPath(t)));
    }
    // Per topic, its partition states: read in batches (ZooKeeper multi reads), all in flight.
    Map<String, CompletableFuture<Map<String, Optional<Versioned<byte[]>>>>> stateReads =
        new LinkedHashMap<>();
    Map<String, Versioned<byte[]>> rawTopics = new TreeMap<>();
    for (String t : names) {
      Optional<Versioned<byte[]>> raw = join(topicReads.get(t));
      if (raw.isEmpty()) {
        continue;
      }
      rawTopics.put(t, raw.get());
      TopicAssignment a;
      try {
        a = ZkPaths.decodeTopic(t, raw.get().value(), UUID.randomUUID());
      } catch (IllegalArgumentException e) {
        log.error("Ignoring topic {}: unreadable {}: {}", t, ZkPaths.topicPath(t), e.getMessage());
        continue;
      }
      ctx.topics.put(t, a);
      List<String> paths = new ArrayList<>(a.replicas().size());
      for (int p : a.replicas().keySet()) {
        paths.add(ZkPaths.partitionStatePath(t, p));
      }
      stateReads.put(t, store.readAllAsync(paths, STATE_READ_BATCH));
    }
    for (String t : rawTopics.keySet()) {
      join(configReads.get(t)).ifPresent(v -> ctx.configs.put(t, ZkPaths.decodeConfig(v.value())));
      if (!ZkPaths.hasTopicId(rawTopics.get(t).value())) {
        // A topic created by an operator: give it the id we chose, conditionally.
        writer.write(
            List.of(
                op(
                    () ->
                        writer
                            .ops()
                            .setData()
                            .withVersion(rawTopics.get(t).version())
                            .forPath(
                                ZkPaths.topicPath(t), ZkPaths.encodeTopic(ctx.topics.get(t))))));
      }
    }
    List<CuratorOp> creates = new ArrayList<>();
    Map<TopicPartition, LeaderAndIsr> created = new HashMap<>();
    List<TopicPartition> missing = new ArrayList<>();
    for (var e : stateReads.entrySet()) {
      String t = e.getKey();
      Map<String, Optional<Versioned<byte[]>>> read = join(e.getValue());
      for (int p : ctx.topics.get(t).replicas().keySet()) {
        TopicPartition tp = new TopicPartition(t, p);
        Optional<Versioned<byte[]>> raw = read.get(ZkPaths.partitionStatePath(t, p));
        if (raw.isPresent()) {
          ctx.states.put(tp, ZkPaths.decodePartitionState(raw.get().value(), raw.get().version()));
        } else {
          missing.add(tp);
        }
      }
    }
    for (TopicPartition tp : missing) {
      LeaderAndIsr init =
          PartitionLeaderElection.initialState(ctx.replicas(tp), ctx.eligibleIds(), ctx.epoch);
      ensureParent(ZkPaths.partitionPath(tp.topic(), tp.partition()));
      creates.add(
          op(
              () ->
                  writer
                      .ops()
                      .create()
                      .withMode(CreateMode.PERSISTENT)
                      .forPath(
                          ZkPaths.partitionStatePath(tp.topic(), tp.partition()),
                          ZkPaths.encodePartitionState(init))));
      created.put(tp, init.withPartitionEpoch(0));
    }
    if (!creates.isEmpty()) {
      writer.write(creates);
      created.forEach(
          (tp, s) -> {
            ctx.states.put(tp, s);
            logLeader(tp, s);
          });
    }
  }

  private void ensureParent(String path) {
    // Parents of a state znode of an operator-created topic; harmless outside the transaction.
    store.ensurePath(path);
  }

  // ================================================================ broker changes

  void onBrokerChange() {
    Map<Integer, BrokerInfo> now = readBrokers();
    Set<Integer> left = new TreeSet<>();
    Set<Integer> joined = new TreeSet<>();
    for (var e : ctx.liveBrokers.entrySet()) {
      BrokerInfo n = now.get(e.getKey());
      if (n == null) {
        left.add(e.getKey());
      } else if (n.epoch() != e.getValue().epoch()) {
        left.add(e.getKey()); // re-registered: a leave followed by a join
        joined.add(e.getKey());
      }
    }
    for (int id : now.keySet()) {
      if (!ctx.liveBrokers.containsKey(id)) {
        joined.add(id);
      }
    }
    if (left.isEmpty() && joined.isEmpty()) {
      return;
    }
    log.info("Brokers left: {}, joined: {}", left, joined);
    Map<TopicPartition, LeaderAndIsr> changed = new HashMap<>();
    if (!left.isEmpty()) {
      left.forEach(ctx.liveBrokers::remove);
      ctx.shuttingDown.removeAll(left);
      channels.updateLiveBrokers(ctx.liveBrokers.values());
      changed.putAll(onBrokersLeft(left));
    }
    if (!joined.isEmpty()) {
      joined.forEach(id -> ctx.liveBrokers.put(id, now.get(id)));
      channels.updateLiveBrokers(ctx.liveBrokers.values());
      changed.putAll(onBrokersJoined(joined));
    }
    // Everyone learns the new set of live brokers and the changed partitions.
    ControllerContext.RequestBatch batch = ctx.new RequestBatch();
    for (BrokerInfo b : ctx.liveBrokers.values()) {
      if (joined.contains(b.id())) {
        sendUpdateMetadata(batch, b, true, List.of(), List.of());
        sendLeaderAndIsr(batch, b, ctx.replicaPartitions(b.id()));
      } else {
        sendUpdateMetadata(batch, b, true, List.of(), List.of());
        sendLeaderAndIsr(batch, b, changed.keySet());
      }
    }
    for (int id : joined) {
      for (var d : deletions.entrySet()) {
        if (d.getValue().contains(id)) {
          sendStopReplicaForDeletion(d.getKey(), ctx.liveBrokers.get(id));
        }
      }
    }
    reassignments.onBrokersChanged(joined);
  }

  private Map<TopicPartition, LeaderAndIsr> onBrokersLeft(Set<Integer> left) {
    Map<TopicPartition, LeaderAndIsr> changes = new HashMap<>();
    Set<Integer> eligible = ctx.eligibleIds();
    for (TopicPartition tp : ctx.allPartitions()) {
      if (deletions.containsKey(tp.topic())) {
        continue;
      }
      LeaderAndIsr s = ctx.states.get(tp);
      boolean touched = false;
      for (int b : left) {
        touched |= s.leader() == b || s.isr().contains(b);
      }
      if (!touched) {
        continue;
      }
      PartitionLeaderElection.onReplicasOffline(
              s,
              ctx.replicas(tp),
              eligible,
              unclean(tp.topic()),
              cfg.electLeaderOutsideIsr(),
              ctx.epoch)
          .ifPresent(n -> changes.put(tp, n));
    }
    return applyStateChanges(changes);
  }

  private Map<TopicPartition, LeaderAndIsr> onBrokersJoined(Set<Integer> joined) {
    Map<TopicPartition, LeaderAndIsr> changes = new HashMap<>();
    Set<Integer> eligible = ctx.eligibleIds();
    for (TopicPartition tp : ctx.allPartitions()) {
      if (deletions.containsKey(tp.topic())) {
        continue;
      }
      LeaderAndIsr s = ctx.states.get(tp);
      if (s.hasLeader() && ctx.liveBrokers.containsKey(s.leader())) {
        continue;
      }
      PartitionLeaderElection.onOfflinePartition(
              s,
              ctx.replicas(tp),
              eligible,
              unclean(tp.topic()),
              cfg.electLeaderOutsideIsr(),
              ctx.epoch)
          .ifPresent(n -> changes.put(tp, n));
    }
    return applyStateChanges(changes);
  }

  // ================================================================ topic changes (watch)

  void onTopicChange() {
    List<String> names = childrenWatched(ZkPaths.BROKER_TOPICS, this::onTopicChange);
    Set<String> added = new TreeSet<>(names);
    added.removeAll(ctx.topics.keySet());
    Set<String> removed = new TreeSet<>(ctx.topics.keySet());
    removed.removeAll(names);
    if (!added.isEmpty()) {
      log.info("Topics created outside the controller: {}", added);
      loadTopics(added);
      List<TopicPartition> parts = new ArrayList<>();
      added.forEach(t -> parts.addAll(ctx.partitionsOf(t)));
      electOffline(parts);
      announceTopics(added, parts);
    }
    if (!removed.isEmpty()) {
      log.info("Topics removed outside the controller: {}", removed);
      removed.forEach(ctx::removeTopic);
      removed.forEach(deletions::remove);
      for (BrokerInfo b : ctx.liveBrokers.values()) {
        sendUpdateMetadata(b, false, List.of(), removed);
      }
      completeDeletes();
    }
  }

  private void electOffline(Collection<TopicPartition> parts) {
    Map<TopicPartition, LeaderAndIsr> changes = new HashMap<>();
    Set<Integer> eligible = ctx.eligibleIds();
    for (TopicPartition tp : parts) {
      PartitionLeaderElection.onOfflinePartition(
              ctx.states.get(tp),
              ctx.replicas(tp),
              eligible,
              unclean(tp.topic()),
              cfg.electLeaderOutsideIsr(),
              ctx.epoch)
          .ifPresent(n -> changes.put(tp, n));
    }
    applyStateChanges(changes);
  }

  /** LeaderAndIsr to the replicas of {@code parts}, UpdateMetadata with {@code topics} to all. */
  private List<CompletableFuture<?>> announceTopics(
      Collection<String> topics, Collection<TopicPartition> parts) {
    List<CompletableFuture<?>> leaderAcks = new ArrayList<>();
    ControllerContext.RequestBatch batch = ctx.new RequestBatch();
    for (BrokerInfo b : ctx.liveBrokers.values()) {
      sendUpdateMetadata(batch, b, false, topics, List.of());
      CompletableFuture<?> f = sendLeaderAndIsr(batch, b, parts);
      if (f != null) {
        leaderAcks.add(f);
      }
    }
    return leaderAcks;
  }

  // ================================================================ topic creation

  void createTopics(CreateTopicsRequest request, CompletableFuture<CreateTopicsResponse> future) {
    Map<String, CreatableTopicResult> results = new LinkedHashMap<>();
    Set<String> created = new TreeSet<>();
    Set<String> taken = new HashSet<>(ctx.topics.keySet());
    for (CreatableTopic t : request.getTopicsList()) {
      if (results.containsKey(t.getName())) {
        results.put(
            t.getName(),
            result(t.getName(), ErrorCode.INVALID_REQUEST, "Duplicate topic name in the request."));
        continue;
      }
      TopicCreationPlanner.Result plan =
          TopicCreationPlanner.plan(
              t,
              taken,
              deletions.keySet(),
              eligibleRacks(),
              cfg.defaultNumPartitions(),
              cfg.defaultReplicationFactor(),
              new UUID(random.nextLong(), random.nextLong()),
              random);
      if (!plan.isOk()) {
        results.put(t.getName(), result(t.getName(), plan.error(), plan.message()));
        continue;
      }
      TopicAssignment a = plan.assignment();
      CreatableTopicResult ok =
          CreatableTopicResult.newBuilder()
              .setName(a.name())
              .setTopicId(a.topicId().toString())
              .setError(ErrorCode.NONE)
              .setNumPartitions(a.numPartitions())
              .setReplicationFactor(a.replicationFactor())
              .build();
      taken.add(a.name());
      if (request.getValidateOnly()) {
        results.put(a.name(), ok);
        continue;
      }
      try {
        writeNewTopic(a, plan.configs());
        results.put(a.name(), ok);
        created.add(a.name());
      } catch (MetadataStoreException e) {
        results.put(
            a.name(),
            e.isNodeExists()
                ? result(
                    a.name(),
                    ErrorCode.TOPIC_ALREADY_EXISTS,
                    "Topic '" + a.name() + "' already exists.")
                : result(a.name(), ErrorCode.UNKNOWN_SERVER_ERROR, e.getMessage()));
      }
    }
    CreateTopicsResponse response =
        CreateTopicsResponse.newBuilder().addAllTopics(results.values()).build();
    if (created.isEmpty()) {
      future.complete(response);
      return;
    }
    List<TopicPartition> parts = new ArrayList<>();
    created.forEach(t -> parts.addAll(ctx.partitionsOf(t)));
    List<CompletableFuture<?>> acks = announceTopics(created, parts);
    long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : cfg.requestTimeoutMs();
    // Answer once the leaders have heard about their partitions (or the timeout passed): the topic
    // is created either way.
    CompletableFuture.allOf(
            acks.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> future.complete(response));
  }

  private void writeNewTopic(TopicAssignment a, Map<String, String> configs) {
    String t = a.name();
    Map<TopicPartition, LeaderAndIsr> states = new TreeMap<>();
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(create(ZkPaths.topicPath(t), ZkPaths.encodeTopic(a)));
    Optional<Versioned<byte[]>> oldConfig = store.read(ZkPaths.topicConfigPath(t));
    if (oldConfig.isPresent()) {
      ops.add(
          op(
              () ->
                  writer
                      .ops()
                      .setData()
                      .withVersion(oldConfig.get().version())
                      .forPath(ZkPaths.topicConfigPath(t), ZkPaths.encodeConfig(configs))));
    } else {
      ops.add(create(ZkPaths.topicConfigPath(t), ZkPaths.encodeConfig(configs)));
    }
    ops.add(create(ZkPaths.partitionsPath(t), new byte[0]));
    for (var e : a.replicas().entrySet()) {
      int p = e.getKey();
      LeaderAndIsr s =
          PartitionLeaderElection.initialState(e.getValue(), ctx.eligibleIds(), ctx.epoch);
      ops.add(create(ZkPaths.partitionPath(t, p), new byte[0]));
      ops.add(create(ZkPaths.partitionStatePath(t, p), ZkPaths.encodePartitionState(s)));
      states.put(new TopicPartition(t, p), s.withPartitionEpoch(0));
    }
    writer.write(ops);
    ctx.topics.put(t, a);
    ctx.configs.put(t, Map.copyOf(configs));
    ctx.states.putAll(states);
    log.info(
        "Created topic {} (id {}) with {} partitions, replication factor {}",
        t,
        a.topicId(),
        a.numPartitions(),
        a.replicationFactor());
    states.forEach(this::logLeader);
  }

  private static CreatableTopicResult result(String name, ErrorCode error, String message) {
    return CreatableTopicResult.newBuilder()
        .setName(name)
        .setError(error)
        .setErrorMessage(message)
        .build();
  }

  // ================================================================ partition addition

  /**
   * Adds partitions to existing topics (Kafka's CreatePartitions): per topic, validated by {@link
   * PartitionAdditionPlanner}; the extended assignment (conditional on the topic znode's version)
   * and the new partitions' state znodes are written in one fenced transaction, then LeaderAndIsr
   * goes to the new partitions' replicas and UpdateMetadata to every broker. Answers once the
   * leaders acknowledged (or the timeout passed: the partitions exist either way).
   */
  void createPartitions(
      CreatePartitionsRequest request, CompletableFuture<CreatePartitionsResponse> future) {
    Map<String, CreatePartitionsTopicResult> results = new LinkedHashMap<>();
    Set<String> duplicates = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (CreatePartitionsTopic t : request.getTopicsList()) {
      if (!seen.add(t.getName())) {
        duplicates.add(t.getName());
      }
    }
    Set<String> changed = new TreeSet<>();
    List<TopicPartition> newParts = new ArrayList<>();
    for (CreatePartitionsTopic t : request.getTopicsList()) {
      String name = t.getName();
      if (duplicates.contains(name)) {
        results.put(
            name, partitionsResult(name, ErrorCode.INVALID_REQUEST, "Duplicate topic in request."));
        continue;
      }
      TopicAssignment existing = ctx.topics.get(name);
      if (existing != null && existing.isReassigning()) {
        results.put(
            name,
            partitionsResult(
                name,
                ErrorCode.REASSIGNMENT_IN_PROGRESS,
                "A partition reassignment of topic " + name + " is in progress."));
        continue;
      }
      PartitionAdditionPlanner.Result plan =
          PartitionAdditionPlanner.plan(
              t, existing, deletions.containsKey(name), eligibleRacks(), random);
      if (!plan.isOk()) {
        log.info(
            "CreatePartitions of {} to {} refused: {} {}",
            name,
            t.getCount(),
            plan.error(),
            plan.message());
        results.put(name, partitionsResult(name, plan.error(), plan.message()));
        continue;
      }
      if (request.getValidateOnly()) {
        results.put(name, partitionsResult(name, ErrorCode.NONE, ""));
        continue;
      }
      try {
        newParts.addAll(writeNewPartitions(existing, plan.added()));
        changed.add(name);
        results.put(name, partitionsResult(name, ErrorCode.NONE, ""));
      } catch (MetadataStoreException e) {
        log.warn("Could not add partitions to {}: {}", name, e.getMessage());
        results.put(
            name,
            partitionsResult(
                name,
                ErrorCode.UNKNOWN_SERVER_ERROR,
                "Could not write the new partitions: " + e.getMessage()));
      }
    }
    CreatePartitionsResponse response =
        CreatePartitionsResponse.newBuilder().addAllResults(results.values()).build();
    if (changed.isEmpty()) {
      future.complete(response);
      return;
    }
    List<CompletableFuture<?>> acks = announceTopics(changed, newParts);
    long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : cfg.requestTimeoutMs();
    CompletableFuture.allOf(
            acks.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> future.complete(response));
  }

  /**
   * One fenced transaction: the topic znode's new assignment (conditional on its version) and a
   * state znode (leader = first live replica, ISR = live replicas) per new partition.
   */
  private List<TopicPartition> writeNewPartitions(
      TopicAssignment existing, Map<Integer, List<Integer>> added) {
    String t = existing.name();
    Versioned<byte[]> raw =
        store
            .read(ZkPaths.topicPath(t))
            .orElseThrow(
                () ->
                    new MetadataStoreException(
                        "ZooKeeper: " + ZkPaths.topicPath(t) + " is gone", null));
    TreeMap<Integer, List<Integer>> all = new TreeMap<>(existing.replicas());
    all.putAll(added);
    TopicAssignment extended =
        new TopicAssignment(t, existing.topicId(), all, existing.adding(), existing.removing());
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(
        op(
            () ->
                writer
                    .ops()
                    .setData()
                    .withVersion(raw.version())
                    .forPath(ZkPaths.topicPath(t), ZkPaths.encodeTopic(extended))));
    if (store.stat(ZkPaths.partitionsPath(t)).isEmpty()) {
      ops.add(create(ZkPaths.partitionsPath(t), new byte[0]));
    }
    Map<TopicPartition, LeaderAndIsr> states = new TreeMap<>();
    for (var e : added.entrySet()) {
      int p = e.getKey();
      LeaderAndIsr s =
          PartitionLeaderElection.initialState(e.getValue(), ctx.eligibleIds(), ctx.epoch);
      ops.add(create(ZkPaths.partitionPath(t, p), new byte[0]));
      ops.add(create(ZkPaths.partitionStatePath(t, p), ZkPaths.encodePartitionState(s)));
      states.put(new TopicPartition(t, p), s.withPartitionEpoch(0));
    }
    writer.write(ops);
    ctx.topics.put(t, extended);
    ctx.states.putAll(states);
    log.info(
        "Added partitions {} to topic {} (now {} partitions): {}",
        added.keySet(),
        t,
        extended.numPartitions(),
        added);
    states.forEach(this::logLeader);
    return new ArrayList<>(states.keySet());
  }

  private static CreatePartitionsTopicResult partitionsResult(
      String name, ErrorCode error, String message) {
    return CreatePartitionsTopicResult.newBuilder()
        .setName(name)
        .setError(error)
        .setErrorMessage(message)
        .build();
  }

  // ================================================================ topic deletion

  void deleteTopics(DeleteTopicsRequest request, CompletableFuture<DeleteTopicsResponse> future) {
    Map<String, DeletableTopicResult> results = new LinkedHashMap<>();
    List<String> waiting = new ArrayList<>();
    for (String t : request.getTopicNamesList()) {
      if (Topic.isInternal(t)) {
        results.put(
            t,
            deleteResult(
                t,
                ErrorCode.INVALID_TOPIC,
                "Topic "
                    + t
                    + " is an internal topic and is not allowed to be marked for deletion."));
        continue;
      }
      if (!ctx.topics.containsKey(t)) {
        results.put(
            t,
            deleteResult(
                t,
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic-partition."));
        continue;
      }
      if (!deletions.containsKey(t) && reassignments.isReassigning(t)) {
        results.put(
            t,
            deleteResult(
                t,
                ErrorCode.REASSIGNMENT_IN_PROGRESS,
                "A partition reassignment of topic " + t + " is in progress."));
        continue;
      }
      if (!deletions.containsKey(t)) {
        writer.write(
            List.of(create(ZkPaths.deleteTopicPath(t), ZkPaths.encodeDeleteTopicMarker())));
        startDeletion(t);
      }
      waiting.add(t);
    }
    PendingDelete pending = new PendingDelete(waiting, results, future);
    pendingDeletes.add(pending);
    completeDeletes();
    if (!future.isDone()) {
      long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : cfg.requestTimeoutMs();
      CompletableFuture.delayedExecutor(timeoutMs, TimeUnit.MILLISECONDS)
          .execute(
              () ->
                  events.enqueue(
                      this,
                      "delete topics timeout",
                      () -> {
                        if (pendingDeletes.remove(pending)) {
                          future.complete(
                              deleteResponse(
                                  pending,
                                  ErrorCode.REQUEST_TIMED_OUT,
                                  "Deletion is in progress; it completes when every replica"
                                      + " has deleted its data."));
                        }
                      }));
    }
  }

  void onDeleteTopicsChange() {
    List<String> markers = childrenWatched(ZkPaths.DELETE_TOPICS, this::onDeleteTopicsChange);
    for (String t : markers) {
      if (deletions.containsKey(t)) {
        continue;
      }
      if (Topic.isInternal(t)) {
        log.warn("Ignoring the deletion marker of internal topic {}: it may not be deleted", t);
        deleteMarker(t);
      } else if (ctx.topics.containsKey(t)) {
        startDeletion(t);
      } else {
        deleteMarker(t);
      }
    }
  }

  private void startDeletion(String topic) {
    Set<Integer> replicas = new TreeSet<>();
    ctx.topics.get(topic).replicas().values().forEach(replicas::addAll);
    deletions.put(topic, replicas);
    log.info("Deleting topic {}: stopping its replicas on brokers {}", topic, replicas);
    for (int b : replicas) {
      BrokerInfo info = ctx.liveBrokers.get(b);
      if (info != null) {
        sendStopReplicaForDeletion(topic, info);
      }
    }
    if (replicas.isEmpty()) {
      finishDeletion(topic);
    }
  }

  private void sendStopReplicaForDeletion(String topic, BrokerInfo target) {
    StopReplicaRequest.Builder b =
        StopReplicaRequest.newBuilder()
            .setControllerId(ctx.controllerId)
            .setControllerEpoch(ctx.epoch)
            .setBrokerEpoch(target.epoch());
    for (TopicPartition tp : ctx.partitionsOf(topic)) {
      if (ctx.replicas(tp).contains(target.id())) {
        b.addPartitions(
            StopReplicaPartition.newBuilder()
                .setTopic(topic)
                .setPartition(tp.partition())
                .setLeaderEpoch(-2)
                .setDeletePartition(true));
      }
    }
    channels
        .stopReplica(target, b.build())
        .whenComplete(
            (resp, err) ->
                events.enqueue(
                    this,
                    "StopReplica response",
                    () -> {
                      if (err != null) {
                        log.info(
                            "StopReplica of {} to broker {} failed ({}); retried when it returns",
                            topic,
                            target.id(),
                            err.toString());
                        return;
                      }
                      if (resp.getError() == ErrorCode.STALE_CONTROLLER_EPOCH) {
                        checkStillController();
                        return;
                      }
                      if (resp.getError() != ErrorCode.NONE) {
                        log.warn(
                            "Broker {} refused StopReplica of {}: {} {}",
                            target.id(),
                            topic,
                            resp.getError(),
                            resp.getErrorMessage());
                        return;
                      }
                      Set<Integer> pending = deletions.get(topic);
                      if (pending != null && pending.remove(target.id()) && pending.isEmpty()) {
                        finishDeletion(topic);
                      }
                    }));
  }

  private void finishDeletion(String topic) {
    List<CuratorOp> ops = new ArrayList<>();
    collectDeletes(ZkPaths.topicPath(topic), ops);
    if (store.stat(ZkPaths.topicConfigPath(topic)).isPresent()) {
      ops.add(delete(ZkPaths.topicConfigPath(topic)));
    }
    if (store.stat(ZkPaths.deleteTopicPath(topic)).isPresent()) {
      ops.add(delete(ZkPaths.deleteTopicPath(topic)));
    }
    writer.write(ops);
    deletions.remove(topic);
    ctx.removeTopic(topic);
    log.info("Deleted topic {}", topic);
    for (BrokerInfo b : ctx.liveBrokers.values()) {
      sendUpdateMetadata(b, false, List.of(), List.of(topic));
    }
    completeDeletes();
  }

  /** Delete operations for {@code path} and its subtree, children first. */
  private void collectDeletes(String path, List<CuratorOp> ops) {
    for (String child : store.children(path)) {
      collectDeletes(path + "/" + child, ops);
    }
    if (store.stat(path).isPresent()) {
      ops.add(delete(path));
    }
  }

  private void deleteMarker(String topic) {
    writer.write(List.of(delete(ZkPaths.deleteTopicPath(topic))));
  }

  private void completeDeletes() {
    pendingDeletes.removeIf(
        p -> {
          for (String t : p.topics()) {
            if (ctx.topics.containsKey(t)) {
              return false;
            }
          }
          p.future().complete(deleteResponse(p, ErrorCode.NONE, ""));
          return true;
        });
  }

  private static DeleteTopicsResponse deleteResponse(
      PendingDelete p, ErrorCode forWaiting, String message) {
    DeleteTopicsResponse.Builder b = DeleteTopicsResponse.newBuilder();
    b.addAllTopics(p.results().values());
    for (String t : p.topics()) {
      b.addTopics(deleteResult(t, forWaiting, message));
    }
    return b.build();
  }

  private static DeletableTopicResult deleteResult(String t, ErrorCode error, String message) {
    return DeletableTopicResult.newBuilder()
        .setName(t)
        .setError(error)
        .setErrorMessage(message)
        .build();
  }

  // ================================================================ controlled shutdown

  ControlledShutdownResponse controlledShutdown(int brokerId, long brokerEpoch) {
    BrokerInfo b = ctx.liveBrokers.get(brokerId);
    if (b == null) {
      return ControlledShutdownResponse.newBuilder()
          .setError(ErrorCode.BROKER_NOT_AVAILABLE)
          .setErrorMessage("Broker " + brokerId + " is not registered")
          .build();
    }
    if (brokerEpoch != b.epoch()) {
      return ControlledShutdownResponse.newBuilder()
          .setError(ErrorCode.STALE_BROKER_EPOCH)
          .setErrorMessage(
              "Broker epoch " + brokerEpoch + " is not the registration's (" + b.epoch() + ")")
          .build();
    }
    ctx.shuttingDown.add(brokerId);
    Map<TopicPartition, LeaderAndIsr> changes = new HashMap<>();
    for (TopicPartition tp : ctx.allPartitions()) {
      LeaderAndIsr s = ctx.states.get(tp);
      if (s.leader() == brokerId) {
        PartitionLeaderElection.onControlledShutdown(
                s,
                ctx.replicas(tp),
                brokerId,
                ctx.eligibleIds(),
                cfg.electLeaderOutsideIsr(),
                ctx.epoch)
            .ifPresent(n -> changes.put(tp, n));
      } else if (s.hasLeader() && s.isr().contains(brokerId)) {
        List<Integer> isr = new ArrayList<>(s.isr());
        isr.remove(Integer.valueOf(brokerId));
        changes.put(tp, s.newLeaderAndIsr(s.leader(), isr, ctx.epoch));
      }
    }
    Map<TopicPartition, LeaderAndIsr> applied = applyStateChanges(changes);
    if (!applied.isEmpty()) {
      Set<String> topics = new TreeSet<>();
      applied.keySet().forEach(tp -> topics.add(tp.topic()));
      announceTopics(topics, applied.keySet());
      reassignments.onPartitionsChanged(applied.keySet());
    }
    ControlledShutdownResponse.Builder r =
        ControlledShutdownResponse.newBuilder().setError(ErrorCode.NONE);
    for (TopicPartition tp : ctx.allPartitions()) {
      if (ctx.states.get(tp).leader() == brokerId) {
        r.addRemainingPartitions(
            TopicPartitionRef.newBuilder().setTopic(tp.topic()).setPartition(tp.partition()));
      }
    }
    return r.build();
  }

  // ================================================================ AlterPartition

  /**
   * An ISR change asked for by a partition leader: validated per partition ({@link
   * AlterPartitionValidation}), written in one fenced transaction conditional on each partition
   * epoch, answered with the committed states; LeaderAndIsr goes to the replicas of the changed
   * partitions and UpdateMetadata to every broker.
   */
  AlterPartitionResponse alterPartition(AlterPartitionRequest request) {
    int sender = request.getBrokerId();
    BrokerInfo b = ctx.liveBrokers.get(sender);
    if (b == null || b.epoch() != request.getBrokerEpoch()) {
      return AlterPartitionResponse.newBuilder()
          .setError(ErrorCode.STALE_BROKER_EPOCH)
          .setErrorMessage(
              b == null
                  ? "Broker " + sender + " is not registered"
                  : "Broker epoch "
                      + request.getBrokerEpoch()
                      + " is not the registration's ("
                      + b.epoch()
                      + ")")
          .build();
    }
    Map<TopicPartition, AlterPartitionResult.Builder> results = new LinkedHashMap<>();
    Map<TopicPartition, LeaderAndIsr> writes = new HashMap<>();
    for (AlterPartitionTopic t : request.getTopicsList()) {
      TopicAssignment a = ctx.topics.get(t.getTopic());
      for (AlterPartitionItem item : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), item.getPartition());
        AlterPartitionResult.Builder r =
            AlterPartitionResult.newBuilder().setPartition(item.getPartition());
        results.put(tp, r);
        LeaderAndIsr current = ctx.states.get(tp);
        if (a == null || current == null || deletions.containsKey(t.getTopic())) {
          r.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
              .setErrorMessage("This server does not host this topic-partition.");
          continue;
        }
        if (!t.getTopicId().isEmpty() && !t.getTopicId().equals(a.topicId().toString())) {
          r.setError(ErrorCode.INCONSISTENT_TOPIC_ID)
              .setErrorMessage(
                  "Topic id " + t.getTopicId() + " is not the topic's (" + a.topicId() + ")");
          continue;
        }
        AlterPartitionValidation.Outcome o =
            AlterPartitionValidation.validate(
                sender,
                current,
                ctx.replicas(tp),
                item.getLeaderEpoch(),
                item.getPartitionEpoch(),
                item.getNewIsrList(),
                ctx.liveIds(),
                ctx.shuttingDown,
                ctx.epoch);
        r.setError(o.error()).setErrorMessage(o.message());
        if (o.error() != ErrorCode.NONE) {
          log.info(
              "AlterPartition of {} from broker {} to ISR {} refused: {} {}",
              tp,
              sender,
              item.getNewIsrList(),
              o.error(),
              o.message());
        }
        o.write().ifPresent(w -> writes.put(tp, w));
      }
    }
    Map<TopicPartition, LeaderAndIsr> applied = applyStateChanges(writes);
    for (TopicPartition tp : writes.keySet()) {
      if (!applied.containsKey(tp)) {
        results
            .get(tp)
            .setError(ErrorCode.INVALID_UPDATE_VERSION)
            .setErrorMessage("The partition state changed in ZooKeeper; retry with the new state");
      }
    }
    if (!applied.isEmpty()) {
      Set<String> topics = new TreeSet<>();
      applied.keySet().forEach(tp -> topics.add(tp.topic()));
      announceTopics(topics, applied.keySet());
      reassignments.onPartitionsChanged(applied.keySet());
    }
    AlterPartitionResponse.Builder out =
        AlterPartitionResponse.newBuilder().setError(ErrorCode.NONE);
    Map<String, AlterPartitionTopicResult.Builder> byTopic = new LinkedHashMap<>();
    results.forEach(
        (tp, r) -> {
          LeaderAndIsr s = ctx.states.get(tp);
          if (s != null && !deletions.containsKey(tp.topic())) {
            r.setLeader(s.leader())
                .setLeaderEpoch(s.leaderEpoch())
                .addAllIsr(s.isr())
                .setPartitionEpoch(s.partitionEpoch());
          } else {
            r.setLeader(-1).setLeaderEpoch(-1).setPartitionEpoch(-1);
          }
          byTopic
              .computeIfAbsent(tp.topic(), n -> AlterPartitionTopicResult.newBuilder().setTopic(n))
              .addPartitions(r);
        });
    byTopic.values().forEach(out::addTopics);
    return out.build();
  }

  // ================================================================ leader elections

  /** ElectLeaders (PREFERRED / UNCLEAN): see {@link LeaderElections#electLeaders}. */
  void electLeaders(ElectLeadersRequest request, CompletableFuture<ElectLeadersResponse> future) {
    elections.electLeaders(request, future);
  }

  /**
   * {@code /admin/preferred_replica_election} (watched for creation): elects what it names, then
   * deletes it (fenced).
   */
  void onPreferredReplicaElectionChange() {
    String path = ZkPaths.PREFERRED_REPLICA_ELECTION;
    Watcher watcher =
        event -> {
          if (event.getType() != Watcher.Event.EventType.None) {
            events.enqueue(this, "change of " + path, this::onPreferredReplicaElectionChange);
          }
        };
    try {
      if (store.client().checkExists().usingWatcher(watcher).forPath(path) == null) {
        return;
      }
    } catch (Exception e) {
      throw new MetadataStoreException("ZooKeeper: could not watch " + path, e);
    }
    Optional<Versioned<byte[]>> request = store.read(path);
    if (request.isPresent()) {
      elections.electFromZnode(request.get().value());
      try {
        writer.write(List.of(delete(path)));
      } catch (MetadataStoreException e) {
        if (!e.isNoNode()) {
          throw e;
        }
        // Deleted by the operator meanwhile: nothing left to do.
      }
    }
  }

  /** One automatic preferred-leader rebalance check (timer event). */
  void checkLeaderImbalance() {
    elections.checkLeaderImbalance();
  }

  // ================================================================ reassignments

  AlterPartitionReassignmentsResponse alterPartitionReassignments(
      AlterPartitionReassignmentsRequest request) {
    return reassignments.alter(request);
  }

  ListPartitionReassignmentsResponse listPartitionReassignments(
      ListPartitionReassignmentsRequest request) {
    return reassignments.list(request);
  }

  /** The controller state and actions the {@link ReassignmentManager} works with. */
  private final class ReassignmentHost implements ReassignmentManager.Host {
    @Override
    public Map<String, TopicAssignment> topics() {
      return ctx.topics;
    }

    @Override
    public LeaderAndIsr state(TopicPartition tp) {
      return ctx.states.get(tp);
    }

    @Override
    public Set<Integer> liveIds() {
      return ctx.liveIds();
    }

    @Override
    public Set<Integer> eligibleIds() {
      return ctx.eligibleIds();
    }

    @Override
    public Set<String> deleting() {
      return deletions.keySet();
    }

    @Override
    public int controllerEpoch() {
      return ctx.epoch;
    }

    @Override
    public void recordWritten(TopicAssignment a, Map<TopicPartition, LeaderAndIsr> states) {
      ctx.topics.put(a.name(), a);
      states.forEach(
          (tp, s) -> {
            LeaderAndIsr before = ctx.states.put(tp, s);
            if (before == null || before.leader() != s.leader()) {
              logLeader(tp, s);
            }
          });
    }

    @Override
    public void recordTopicConfig(String topic, Map<String, String> config) {
      ctx.configs.put(topic, Map.copyOf(config));
    }

    @Override
    public void announce(Collection<String> topics, Collection<TopicPartition> parts) {
      announceTopics(topics, parts);
    }

    @Override
    public CompletableFuture<Boolean> stopAndDelete(
        int brokerId, Collection<TopicPartition> parts) {
      BrokerInfo target = ctx.liveBrokers.get(brokerId);
      if (target == null) {
        return CompletableFuture.completedFuture(false);
      }
      StopReplicaRequest.Builder b =
          StopReplicaRequest.newBuilder()
              .setControllerId(ctx.controllerId)
              .setControllerEpoch(ctx.epoch)
              .setBrokerEpoch(target.epoch());
      for (TopicPartition tp : parts) {
        b.addPartitions(
            StopReplicaPartition.newBuilder()
                .setTopic(tp.topic())
                .setPartition(tp.partition())
                .setLeaderEpoch(-2)
                .setDeletePartition(true));
      }
      return channels
          .stopReplica(target, b.build())
          .thenApply(
              r -> {
                if (r.getError() == ErrorCode.STALE_CONTROLLER_EPOCH) {
                  events.enqueue(
                      ActiveController.this,
                      "check controller epoch",
                      () -> checkStillController());
                }
                return r.getError() == ErrorCode.NONE && r.getPartitionsCount() == 0;
              });
    }

    @Override
    public void enqueue(String name, Runnable r) {
      events.enqueue(ActiveController.this, name, r);
    }
  }

  // ================================================================ producer ids

  /**
   * Size of the blocks of producer ids handed to brokers (Kafka's
   * ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE).
   */
  static final int PRODUCER_ID_BLOCK_SIZE = 1000;

  /**
   * Partition state znodes per ZooKeeper multi read when loading: about 100 bytes each, so an
   * answer stays far below jute.maxbuffer (1 MiB).
   */
  static final int STATE_READ_BATCH = 500;

  /**
   * Partition state writes per fenced transaction: about 150 bytes each, so a transaction stays far
   * below jute.maxbuffer (1 MiB) whatever the number of partitions a broker failure moves.
   */
  static final int STATE_WRITE_BATCH = 1000;

  /**
   * Hands {@code brokerId} the next block of producer ids: advances {@code
   * /latest_producer_id_block} with a fenced write conditional on its version (created by the first
   * allocation).
   */
  AllocateProducerIdsResponse allocateProducerIds(AllocateProducerIdsRequest request) {
    BrokerInfo b = ctx.liveBrokers.get(request.getBrokerId());
    if (b == null || b.epoch() != request.getBrokerEpoch()) {
      return AllocateProducerIdsResponse.newBuilder()
          .setError(ErrorCode.STALE_BROKER_EPOCH)
          .setErrorMessage(
              "Broker "
                  + request.getBrokerId()
                  + " with epoch "
                  + request.getBrokerEpoch()
                  + " is not registered with that epoch")
          .build();
    }
    Optional<Versioned<byte[]>> latest = store.read(ZkPaths.LATEST_PRODUCER_ID_BLOCK);
    long start = 0;
    if (latest.isPresent() && latest.get().value().length > 0) {
      ZkPaths.ProducerIdBlock last = ZkPaths.decodeProducerIdBlock(latest.get().value());
      start = last.blockEnd() + 1;
    }
    if (start > Long.MAX_VALUE - PRODUCER_ID_BLOCK_SIZE) {
      return AllocateProducerIdsResponse.newBuilder()
          .setError(ErrorCode.UNKNOWN_SERVER_ERROR)
          .setErrorMessage("Producer ids are exhausted")
          .build();
    }
    ZkPaths.ProducerIdBlock next =
        new ZkPaths.ProducerIdBlock(
            request.getBrokerId(), start, start + PRODUCER_ID_BLOCK_SIZE - 1);
    byte[] data = ZkPaths.encodeProducerIdBlock(next);
    try {
      if (latest.isPresent()) {
        int version = latest.get().version();
        writer.write(
            List.of(
                op(
                    () ->
                        writer
                            .ops()
                            .setData()
                            .withVersion(version)
                            .forPath(ZkPaths.LATEST_PRODUCER_ID_BLOCK, data))));
      } else {
        writer.write(List.of(create(ZkPaths.LATEST_PRODUCER_ID_BLOCK, data)));
      }
    } catch (MetadataStoreException e) {
      log.warn("Could not allocate producer ids for broker {}: {}", b.id(), e.getMessage());
      return AllocateProducerIdsResponse.newBuilder()
          .setError(ErrorCode.UNKNOWN_SERVER_ERROR)
          .setErrorMessage("Could not write the producer id block: " + e.getMessage())
          .build();
    }
    log.info(
        "Allocated producer ids [{}, {}] to broker {}", next.blockStart(), next.blockEnd(), b.id());
    return AllocateProducerIdsResponse.newBuilder()
        .setError(ErrorCode.NONE)
        .setProducerIdStart(next.blockStart())
        .setProducerIdLen(PRODUCER_ID_BLOCK_SIZE)
        .build();
  }

  // ================================================================ state writes

  /**
   * Writes the changed partition states in fenced transactions of at most {@link
   * #STATE_WRITE_BATCH} partitions (each write conditional on its partition epoch; a transaction
   * must stay below jute.maxbuffer, 1 MiB); when a transaction fails, falls back to one write per
   * partition of it and reloads the ones that lost.
   *
   * @return the states written, with their new partition epochs
   */
  private Map<TopicPartition, LeaderAndIsr> applyStateChanges(
      Map<TopicPartition, LeaderAndIsr> changes) {
    if (changes.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, LeaderAndIsr> applied = new TreeMap<>();
    List<Map.Entry<TopicPartition, LeaderAndIsr>> all = new ArrayList<>(changes.entrySet());
    for (int from = 0; from < all.size(); from += STATE_WRITE_BATCH) {
      List<Map.Entry<TopicPartition, LeaderAndIsr>> batch =
          all.subList(from, Math.min(all.size(), from + STATE_WRITE_BATCH));
      try {
        List<CuratorOp> ops = new ArrayList<>(batch.size());
        for (var e : batch) {
          ops.add(stateOp(e.getKey(), e.getValue()));
        }
        writer.write(ops);
        batch.forEach(
            e ->
                applied.put(
                    e.getKey(),
                    e.getValue().withPartitionEpoch(e.getValue().partitionEpoch() + 1)));
      } catch (MetadataStoreException batchFailure) {
        for (var e : batch) {
          TopicPartition tp = e.getKey();
          try {
            writer.write(List.of(stateOp(tp, e.getValue())));
            applied.put(tp, e.getValue().withPartitionEpoch(e.getValue().partitionEpoch() + 1));
          } catch (MetadataStoreException one) {
            log.warn("Could not update the state of {}: {}; reloading it", tp, one.getMessage());
            store.partitionState(tp.topic(), tp.partition()).ifPresent(s -> ctx.states.put(tp, s));
          }
        }
      }
    }
    for (var e : applied.entrySet()) {
      LeaderAndIsr before = ctx.states.put(e.getKey(), e.getValue());
      if (before == null || before.leader() != e.getValue().leader()) {
        logLeader(e.getKey(), e.getValue());
      }
      if (before != null && !before.isr().equals(e.getValue().isr())) {
        log.info(
            "ISR of {} changed from {} to {} (leader {}, leader epoch {}, partition epoch {})",
            e.getKey(),
            before.isr(),
            e.getValue().isr(),
            e.getValue().leader(),
            e.getValue().leaderEpoch(),
            e.getValue().partitionEpoch());
      }
    }
    return applied;
  }

  private CuratorOp stateOp(TopicPartition tp, LeaderAndIsr s) {
    return op(() -> writer.updatePartitionState(tp.topic(), tp.partition(), s));
  }

  private void logLeader(TopicPartition tp, LeaderAndIsr s) {
    if (s.hasLeader()) {
      log.info("Leader for {} is now broker {} (leader epoch {})", tp, s.leader(), s.leaderEpoch());
    } else {
      log.info(
          "{} is offline: no live in-sync replica (ISR {}, leader epoch {})",
          tp,
          s.isr(),
          s.leaderEpoch());
    }
  }

  // ================================================================ config changes

  /** IncrementalAlterConfigs: see {@link ConfigChangeHandler}. */
  void incrementalAlterConfigs(
      io.brook.protocol.v1.IncrementalAlterConfigsRequest request,
      CompletableFuture<io.brook.protocol.v1.IncrementalAlterConfigsResponse> future) {
    future.complete(
        new ConfigChangeHandler(
                ctx,
                store,
                writer,
                cfg.brokerProps(),
                deletions::containsKey,
                topic -> {
                  for (BrokerInfo b : ctx.liveBrokers.values()) {
                    sendUpdateMetadata(b, false, List.of(topic), List.of());
                  }
                })
            .handle(request));
  }

  // ================================================================ requests to brokers

  private CompletableFuture<?> sendUpdateMetadata(
      BrokerInfo b, boolean full, Collection<String> topics, Collection<String> deleted) {
    return sendUpdateMetadata(ctx.new RequestBatch(), b, full, topics, deleted);
  }

  private CompletableFuture<?> sendUpdateMetadata(
      ControllerContext.RequestBatch batch,
      BrokerInfo b,
      boolean full,
      Collection<String> topics,
      Collection<String> deleted) {
    return channels
        .updateMetadata(b, batch.updateMetadata(b, full, topics, deleted))
        .whenComplete(
            (r, e) -> onResponse(b, "UpdateMetadata", r == null ? null : r.getError(), e));
  }

  /** Sends LeaderAndIsr when {@code b} replicates any of {@code parts}; null otherwise. */
  private CompletableFuture<?> sendLeaderAndIsr(BrokerInfo b, Collection<TopicPartition> parts) {
    return sendLeaderAndIsr(ctx.new RequestBatch(), b, parts);
  }

  private CompletableFuture<?> sendLeaderAndIsr(
      ControllerContext.RequestBatch batch, BrokerInfo b, Collection<TopicPartition> parts) {
    var request = batch.leaderAndIsr(b, parts);
    if (request.getTopicsCount() == 0) {
      return null;
    }
    return channels
        .leaderAndIsr(b, request)
        .whenComplete((r, e) -> onResponse(b, "LeaderAndIsr", r == null ? null : r.getError(), e));
  }

  private void onResponse(BrokerInfo b, String what, ErrorCode error, Throwable failure) {
    if (failure != null) {
      log.debug("{} to broker {} not delivered: {}", what, b.id(), failure.toString());
    } else if (error == ErrorCode.STALE_CONTROLLER_EPOCH) {
      log.warn("Broker {} answered {} with STALE_CONTROLLER_EPOCH", b.id(), what);
      events.enqueue(this, "check controller epoch", this::checkStillController);
    } else if (error != ErrorCode.NONE) {
      log.warn("Broker {} answered {} with {}", b.id(), what, error);
    }
  }

  /** A broker saw a newer controller epoch: if /controller_epoch moved, we are fenced. */
  private void checkStillController() {
    int zkEpoch = store.controllerEpoch().map(Versioned::value).orElse(-1);
    if (zkEpoch != ctx.epoch) {
      writer.disable();
      throw new io.brook.controller.zk.ControllerMovedException(
          "Controller epoch is now " + zkEpoch + ", this controller's is " + ctx.epoch);
    }
  }

  // ================================================================ helpers

  /** Eligible (live, not shutting down) broker ids -> their broker.rack (null when unset). */
  private Map<Integer, String> eligibleRacks() {
    Map<Integer, String> out = new TreeMap<>();
    for (int id : ctx.eligibleIds()) {
      BrokerInfo b = ctx.liveBrokers.get(id);
      out.put(id, b == null ? null : b.rack());
    }
    return out;
  }

  private boolean unclean(String topic) {
    return ctx.uncleanAllowed(topic, cfg.brokerProps());
  }

  private CuratorOp create(String path, byte[] data) {
    return op(() -> writer.ops().create().withMode(CreateMode.PERSISTENT).forPath(path, data));
  }

  private CuratorOp delete(String path) {
    return op(() -> writer.ops().delete().forPath(path));
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetadataStoreException("ZooKeeper: interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new MetadataStoreException("ZooKeeper: read failed", e);
    }
  }
}
