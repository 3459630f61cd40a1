package io.brook.broker.server;

import io.brook.broker.group.GroupConfig;
import io.brook.broker.group.GroupCoordinator;
import io.brook.broker.group.OffsetsTopicStore;
import io.brook.broker.grpc.BrokerGrpcServer;
import io.brook.broker.grpc.GrpcControllerClient;
import io.brook.broker.grpc.ReplicaGrpcService;
import io.brook.broker.log.LogConfig;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.LogManagerConfig;
import io.brook.broker.metrics.BrokerHealth;
import io.brook.broker.metrics.BrokerMonitoring;
import io.brook.broker.metrics.BrokerStateGauges;
import io.brook.broker.metrics.ConsumerGroupLag;
import io.brook.broker.replica.AlterPartitionSender;
import io.brook.broker.replica.FollowerFetching;
import io.brook.broker.replica.ReplicaManager;
import io.brook.broker.replica.ReplicationQuota;
import io.brook.broker.replica.fetcher.ReplicaFetcherConfig;
import io.brook.broker.replica.fetcher.ReplicaFetcherManager;
import io.brook.broker.zk.ZooKeeperClients;
import io.brook.common.Scheduler;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.controller.Controller;
import io.brook.controller.ControllerConfig;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.BrokerInfo;
import io.brook.metadata.config.BrokerDynamicConfigs;
import io.brook.metadata.config.TopicConfigs;
import io.brook.metadata.zk.BrokerRegistrar;
import io.brook.metadata.zk.MetadataStore;
import io.brook.protocol.v1.ControlledShutdownRequest;
import io.brook.protocol.v1.ControlledShutdownResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.logging.log4j.Logger;

/**
 * One broker node: storage, partition state, request handling, its ZooKeeper registration and its
 * controller candidate.
 *
 * <p>Start sequence ({@link #start()}): ZooKeeper session (chroot created if missing) -> cluster id
 * -> meta.properties checked / written in every log dir -> LogManager startup (recovery) -> replica
 * manager -> group store and coordinator (before any LeaderAndIsr can arrive) -> gRPC server on the
 * listener (BrokerService, BrokerControlService, ControllerService) -> registration in /brokers/ids
 * with the bound port -> controller candidacy. {@link #close()} first makes a controlled shutdown
 * (leadership moves to other in-sync replicas while this broker still serves), then undoes the
 * start in reverse: stop accepting calls (and drain the clients' and followers' streams), resign
 * the groups' partitions (group store, then coordinator), complete waiting requests, end the
 * streams still open and cancel calls still running after a short grace, leave the election,
 * deregister, let request handlers finish, close the logs (with the clean-shutdown marker), close
 * the session.
 *
 * <p>Lifecycle: LATENT -> STARTED -> CLOSED; {@link #start()} twice fails, {@link #close()} is
 * idempotent and also cleans up after a failed start. Thread-safe.
 */
public final class BrokerServer implements AutoCloseable {
  private static final Logger log =
      org.apache.logging.log4j.LogManager.getLogger(BrokerServer.class);

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final BrokerConfig config;
  private final Time time;
  private final TestFaults testFaults;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private volatile Consumer<Throwable> fatalErrorHandler;

  private CuratorFramework zk;
  private DynamicBrokerConfig dynamicConfig;
  private String clusterId;
  private Scheduler scheduler;
  private LogManager logManager;
  private MetadataCache metadataCache;
  private ReplicaManager replicaManager;
  private volatile AdminForwarder adminForwarder; // ISR changes go through it (set once, at start)
  private ControlRequestHandler controlHandler;
  private BrokerRequestHandler requestHandler;
  private GrpcControllerClient controllerClient;
  private ExecutorService requestExecutor;
  private BrokerGrpcServer grpcServer;
  private Controller controller;
  private BrokerRegistrar registrar;
  private ProducerIdManager producerIdManager;
  private OffsetsTopicStore groupStore;
  private GroupCoordinator groupCoordinator;
  private BrokerMonitoring monitoring; // metrics, /health and metrics.port

  /** How long InitProducerId waits for a block of producer ids before BROKER_NOT_AVAILABLE. */
  private static final long PRODUCER_ID_MAX_WAIT_MS = 10_000;

  /** How long close() lets request handlers still running finish before interrupting them. */
  private static final long REQUEST_HANDLERS_MAX_WAIT_MS = 5_000;

  public BrokerServer(BrokerConfig config) {
    this(config, Time.SYSTEM);
  }

  public BrokerServer(BrokerConfig config, Time time) {
    this(config, time, TestFaults.NONE);
  }

  /**
   * @param testFaults faults that break guarantees on purpose, for fault-injection tests only
   *     ({@link TestFaults#NONE} otherwise); logged as a WARN at start when any is on
   */
  public BrokerServer(BrokerConfig config, Time time, TestFaults testFaults) {
    this.config = config;
    this.time = time;
    this.testFaults = testFaults;
    this.fatalErrorHandler =
        t -> {
          log.fatal("Broker {} hit an unexpected error and shuts down", config.brokerId(), t);
          Thread closer = new Thread(this::close, "broker-" + config.brokerId() + "-fatal-close");
          closer.setDaemon(true);
          closer.start();
        };
  }

  /** Builds and starts a broker from Kafka-style properties (tests, the quickstart, DevCluster). */
  public static BrokerServer startInProcess(Map<String, String> props) {
    BrokerServer server = new BrokerServer(new BrokerConfig(props));
    server.start();
    return server;
  }

  /**
   * What to do when a critical thread fails unexpectedly. The default logs and closes the broker;
   * {@link BrokerMain} exits the process.
   */
  public void setFatalErrorHandler(Consumer<Throwable> handler) {
    this.fatalErrorHandler = handler;
  }

  /**
   * Starts the broker; returns once it is registered and serving.
   *
   * @throws IllegalStateException when called twice or after close
   * @throws RuntimeException with a clear message when a step fails (everything started so far is
   *     closed again)
   */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("Broker " + config.brokerId() + " was already started");
    }
    int id = config.brokerId();
    for (String warning : testFaults.warnings()) {
      log.warn("Broker {}: {}", id, warning);
    }
    try {
      TopicConfigs.effective(config.originals(), Map.of()); // broker-level defaults valid?

      zk =
          ZooKeeperClients.connect(
              config.zookeeperConnect(),
              config.zookeeperSessionTimeoutMs(),
              config.zookeeperConnectionTimeoutMs());
      clusterId = new MetadataStore(zk).getOrCreateClusterId();
      MetaProperties.ensure(config.logDirs(), id, clusterId);
      CuratorFramework session = zk;
      monitoring =
          new BrokerMonitoring(
              id,
              () -> session.getZookeeperClient().isConnected(),
              this::brokerEpoch,
              this::isController);

      scheduler = new ThreadPoolScheduler("broker-" + id + "-scheduler", 2);
      logManager = new LogManager(config.logDirs(), logManagerConfig(), scheduler, time);
      logManager.startup();

      dynamicConfig = new DynamicBrokerConfig(id, config.originals(), zk);
      dynamicConfig.start();

      metadataCache = new MetadataCache();
      metadataCache.setClusterId(clusterId);
      replicaManager =
          new ReplicaManager(
              id,
              logManager,
              dynamicConfig.current(),
              metadataCache::contains,
              scheduler,
              time,
              newFollowerFetching(id),
              alterPartitionSender(),
              this::brokerEpoch,
              testFaults.ackBeforeReplication(),
              brokerId -> metadataCache.broker(brokerId).isPresent());
      replicaManager.setMetricsListener(monitoring.metrics());
      wireDynamicConfig(id);
      startGroupCoordinator(id);
      monitoring.registerGauges(stateGaugeSources());
      controlHandler =
          new ControlRequestHandler(
              id,
              () -> registrar == null ? -1 : registrar.brokerEpoch(),
              replicaManager,
              metadataCache);

      ControllerConfig controllerConfig =
          ControllerConfig.fromProperties(id, controllerProps())
              .withElectLeaderOutsideIsr(testFaults.electLeaderOutsideIsr());
      if (config.controllerCandidate()) {
        controller =
            new Controller(
                controllerConfig,
                zk,
                new GrpcBrokerChannels(
                    controllerConfig.requestTimeoutMs(), controllerConfig.retryBackoffMs()),
                time);
      }
      controllerClient = new GrpcControllerClient();
      AdminForwarder forwarder =
          new AdminForwarder(
              id,
              controller == null ? LocalController.NONE : LocalController.of(controller),
              controllerClient,
              metadataCache,
              scheduler,
              time,
              config.requestTimeoutMs(),
              config.getLong(BrokerConfig.RETRY_BACKOFF_MS));
      adminForwarder = forwarder;
      producerIdManager =
          new ProducerIdManager(
              id,
              this::brokerEpoch,
              forwarder::allocateProducerIds,
              scheduler,
              PRODUCER_ID_MAX_WAIT_MS,
              config.getLong(BrokerConfig.RETRY_BACKOFF_MS));
      requestHandler =
          new BrokerRequestHandler(
              config,
              metadataCache,
              replicaManager,
              forwarder,
              producerIdManager,
              groupCoordinator,
              groupStore);

      requestHandler.setDynamicConfig(dynamicConfig);

      requestExecutor = newRequestExecutor(id, config.numIoThreads());
      grpcServer =
          BrokerGrpcServer.start(
              config.listener().host(),
              config.listener().port(),
              config.socketRequestMaxBytes(),
              config.numNetworkThreads(),
              requestExecutor,
              requestHandler,
              controlHandler,
              new ReplicaGrpcService(replicaManager),
              controller,
              monitoring.metrics());
      monitoring.startHttp(config.listener().host(), config.getInt(BrokerConfig.METRICS_PORT));

      BrokerInfo info = BrokerInfo.of(id, advertisedHost(), advertisedPort(), config.rack());
      registrar = new BrokerRegistrar(zk, info); // logs "Broker N registered at ..." itself
      registrar.start();

      if (controller != null) {
        try {
          controller.start();
        } catch (Exception e) {
          throw new IllegalStateException(
              "Broker " + id + " could not join the controller election: " + e.getMessage(), e);
        }
      }
      monitoring.health().setPhase(BrokerHealth.Phase.SERVING);
      log.info(
          "Broker {} started: cluster {}, listening on port {}, log dirs {}",
          id,
          clusterId,
          grpcServer.port(),
          config.logDirs());
    } catch (IOException e) {
      close();
      throw new IllegalStateException("Broker " + id + " could not start: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Replication quotas from the dynamic throttle rates, and every dynamic change (rates,
   * broker-level topic defaults) applied live.
   */
  private void wireDynamicConfig(int id) {
    ReplicationQuota leaderQuota =
        new ReplicationQuota(
            "leader",
            id,
            time,
            dynamicConfig.rate(BrokerDynamicConfigs.LEADER_REPLICATION_THROTTLED_RATE));
    ReplicationQuota followerQuota =
        new ReplicationQuota(
            "follower",
            id,
            time,
            dynamicConfig.rate(BrokerDynamicConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE));
    replicaManager.setReplicationQuotas(leaderQuota, followerQuota);
    ReplicaManager rm = replicaManager;
    dynamicConfig.addListener(
        props -> {
          leaderQuota.updateRate(
              BrokerDynamicConfigs.rate(
                  props, BrokerDynamicConfigs.LEADER_REPLICATION_THROTTLED_RATE));
          followerQuota.updateRate(
              BrokerDynamicConfigs.rate(
                  props, BrokerDynamicConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE));
          rm.updateBrokerProps(props);
        });
  }

  /** This broker's dynamic configuration (null before start). */
  public DynamicBrokerConfig dynamicConfig() {
    return dynamicConfig;
  }

  /**
   * The group store over {@code __consumer_offsets} and the group coordinator: the store listens to
   * the replica manager's leadership changes and tells the coordinator; deleted topics' offsets are
   * dropped by the coordinator.
   */
  private void startGroupCoordinator(int id) {
    int configuredPartitions = config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS);
    groupStore =
        new OffsetsTopicStore(
            id,
            replicaManager,
            () ->
                metadataCache
                    .topic(Topic.CONSUMER_OFFSETS)
                    .map(t -> t.partitions().size())
                    .filter(n -> n > 0)
                    .orElse(configuredPartitions),
            config.getInt(BrokerConfig.OFFSETS_LOAD_BUFFER_SIZE),
            config.getInt(BrokerConfig.OFFSETS_COMMIT_TIMEOUT_MS),
            time);
    groupCoordinator = new GroupCoordinator(groupConfig(config), groupStore, time, scheduler);
    groupStore.setListener(groupCoordinator);
    groupStore.startup();
    groupCoordinator.startup();
    GroupCoordinator coordinator = groupCoordinator;
    metadataCache.setDeletedPartitionsListener(
        deleted -> {
          Collection<TopicPartition> user =
              deleted.stream().filter(tp -> !Topic.isInternal(tp.topic())).toList();
          if (user.isEmpty()) {
            return;
          }
          try {
            coordinator.onPartitionsDeleted(user);
          } catch (RuntimeException e) {
            log.error("The group coordinator could not drop the offsets of {}", user, e);
          }
        });
  }

  /** Where the scrape-time gauges read this broker's state. */
  private BrokerStateGauges.Sources stateGaugeSources() {
    ReplicaManager replicas = replicaManager;
    MetadataCache metadata = metadataCache;
    LogManager logs = logManager;
    ConsumerGroupLag lag = new ConsumerGroupLag(groupCoordinator, replicas::partition);
    BrokerHealth health = monitoring.health();
    return new BrokerStateGauges.Sources(
        replicas::partitions,
        metadata::snapshot,
        this::isController,
        () -> controller == null ? -1 : controller.controllerEpoch(),
        logs::logDirs,
        logs::allLogs,
        lag::entries,
        health::check);
  }

  /** The group coordinator's settings from the broker's {@code group.*} / {@code offsets.*}. */
  static GroupConfig groupConfig(BrokerConfig config) {
    return new GroupConfig(
        config.getInt(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS),
        config.getInt(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS),
        config.getInt(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS),
        config.getInt(BrokerConfig.GROUP_MAX_SIZE),
        config.getInt(BrokerConfig.OFFSETS_RETENTION_MINUTES) * 60_000L,
        config.getLong(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS),
        config.getInt(BrokerConfig.OFFSET_METADATA_MAX_BYTES),
        config.getInt(BrokerConfig.OFFSETS_COMMIT_TIMEOUT_MS));
  }

  /** The follower side: fetches the partitions this broker follows from their leaders. */
  private FollowerFetching newFollowerFetching(int id) {
    ReplicaFetcherConfig fetcherConfig =
        new ReplicaFetcherConfig(
            config.getInt(BrokerConfig.REPLICA_FETCH_WAIT_MAX_MS),
            config.getInt(BrokerConfig.REPLICA_FETCH_MIN_BYTES),
            config.getInt(BrokerConfig.REPLICA_FETCH_MAX_BYTES),
            config.getInt(BrokerConfig.REPLICA_FETCH_RESPONSE_MAX_BYTES),
            config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS),
            config.getInt(BrokerConfig.REPLICA_SOCKET_TIMEOUT_MS));
    return new ReplicaFetcherManager(id, this::brokerEpoch, fetcherConfig, time, scheduler);
  }

  /** Where leaders send ISR changes: the active controller, through the admin forwarder. */
  private AlterPartitionSender alterPartitionSender() {
    return req -> {
      AdminForwarder f = adminForwarder;
      return f == null ? AlterPartitionSender.NONE.send(req) : f.alterPartition(req);
    };
  }

  private Map<String, String> controllerProps() {
    Map<String, String> m = new java.util.TreeMap<>(config.originals());
    m.putIfAbsent(BrokerConfig.REQUEST_TIMEOUT_MS, String.valueOf(config.requestTimeoutMs()));
    return m;
  }

  private LogManagerConfig logManagerConfig() {
    LogConfig defaults = LogConfig.fromMap(TopicConfigs.effective(config.originals(), Map.of()));
    return new LogManagerConfig(
            defaults,
            config.getInt(BrokerConfig.NUM_RECOVERY_THREADS_PER_DATA_DIR),
            config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS),
            config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS),
            config.getInt(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS),
            config.getInt(BrokerConfig.LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS))
        .withProducerIdExpiration(
            config.getLong(BrokerConfig.PRODUCER_ID_EXPIRATION_MS),
            config.getLong(BrokerConfig.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS))
        .withCleanerConfig(
            new io.brook.broker.log.CleanerConfig(
                config.getInt(BrokerConfig.LOG_CLEANER_THREADS),
                config.getLong(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                io.brook.broker.log.CleanerConfig.DEFAULT.dedupeBufferLoadFactor(),
                config.getInt(BrokerConfig.LOG_CLEANER_IO_BUFFER_SIZE),
                config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS),
                config.getBoolean(BrokerConfig.LOG_CLEANER_ENABLE)));
  }

  private ExecutorService newRequestExecutor(int id, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor ex =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "broker-" + id + "-request-" + n.incrementAndGet());
              t.setDaemon(true);
              t.setUncaughtExceptionHandler((th, e) -> fatalErrorHandler.accept(e));
              return t;
            });
    return ex;
  }

  private String advertisedHost() {
    String host = config.advertisedListener().host();
    if (host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      try {
        return InetAddress.getLocalHost().getCanonicalHostName();
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
    return host;
  }

  private int advertisedPort() {
    boolean explicit = config.getString(BrokerConfig.ADVERTISED_LISTENERS) != null;
    int port = config.advertisedListener().port();
    return explicit && port != 0 ? port : grpcServer.port();
  }

  /** The port the gRPC server is bound to. */
  public int boundPort() {
    return grpcServer.port();
  }

  public int brokerId() {
    return config.brokerId();
  }

  public BrokerConfig config() {
    return config;
  }

  public String clusterId() {
    return clusterId;
  }

  /** The epoch of this broker's current registration (-1 when not registered). */
  public long brokerEpoch() {
    return registrar == null ? -1 : registrar.brokerEpoch();
  }

  public boolean isController() {
    return controller != null && controller.isActive();
  }

  /** This broker's controller candidate, or null with controller.candidate=false. */
  public Controller controller() {
    return controller;
  }

  /** Sends calls to the active controller (null before start). */
  public AdminForwarder adminForwarder() {
    return adminForwarder;
  }

  public MetadataCache metadataCache() {
    return metadataCache;
  }

  public ReplicaManager replicaManager() {
    return replicaManager;
  }

  /** The group coordinator (null before start). */
  public GroupCoordinator groupCoordinator() {
    return groupCoordinator;
  }

  /** The store of {@code __consumer_offsets} (null before start). */
  public OffsetsTopicStore groupStore() {
    return groupStore;
  }

  public LogManager logManager() {
    return logManager;
  }

  /** The port of {@code /metrics} and {@code /health}, or -1 when metrics.port is -1. */
  public int metricsPort() {
    BrokerMonitoring m = monitoring;
    return m == null ? -1 : m.httpPort();
  }

  /** This broker's metrics registry and health check (null before start). */
  public BrokerMonitoring monitoring() {
    return monitoring;
  }

  /** The ZooKeeper session (tests expire it). */
  public CuratorFramework zkClient() {
    return zk;
  }

  public boolean isRunning() {
    return state.get() == State.STARTED;
  }

  /**
   * Shuts down cleanly: stop serving, leave the controller election, deregister, close the logs
   * with the clean-shutdown marker, close the ZooKeeper session. Idempotent.
   */
  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    int id = config.brokerId();
    if (previous == State.STARTED) {
      log.info("Broker {} shutting down", id);
    }
    if (monitoring != null) {
      monitoring.shuttingDown();
    }
    if (previous == State.STARTED) {
      controlledShutdown();
    }
    List<Throwable> errors = new ArrayList<>();
    if (grpcServer != null) {
      grpcServer.shutdown();
    }
    run(errors, producerIdManager == null ? null : producerIdManager::close);
    run(errors, groupStore == null ? null : groupStore::close);
    run(errors, groupCoordinator == null ? null : groupCoordinator::close);
    run(errors, dynamicConfig == null ? null : dynamicConfig::close);
    run(errors, replicaManager == null ? null : replicaManager::close);
    run(errors, grpcServer == null ? null : grpcServer::close);
    run(errors, controller == null ? null : controller::close);
    run(errors, registrar == null ? null : registrar::close);
    run(errors, controllerClient == null ? null : controllerClient::close);
    run(errors, requestExecutor == null ? null : this::stopRequestExecutor);
    run(errors, scheduler == null ? null : scheduler::close);
    run(errors, logManager == null ? null : logManager::close);
    run(errors, monitoring == null ? null : monitoring::close);
    run(errors, zk == null ? null : zk::close);
    if (errors.isEmpty()) {
      if (previous == State.STARTED) {
        log.info("Broker {} shut down cleanly", id);
      }
    } else {
      log.error("Broker {} shut down with {} error(s); see above", id, errors.size());
    }
  }

  /**
   * Lets request handlers still running finish before the logs close: an interrupt (shutdownNow)
   * during a FileChannel write would close the segment's channel (ClosedByInterruptException) and
   * leave the log unable to close cleanly. Handlers never wait (waits are futures), so this is
   * quick; interrupted only after {@link #REQUEST_HANDLERS_MAX_WAIT_MS}.
   */
  private void stopRequestExecutor() {
    requestExecutor.shutdown();
    try {
      if (!requestExecutor.awaitTermination(REQUEST_HANDLERS_MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
        log.warn(
            "Broker {}: request handlers still running after {} ms are interrupted",
            config.brokerId(),
            REQUEST_HANDLERS_MAX_WAIT_MS);
        requestExecutor.shutdownNow();
      }
    } catch (InterruptedException e) {
      requestExecutor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kafka's controlled shutdown (SIGTERM): while still serving, asks the active controller to move
   * the leadership of this broker's partitions to other in-sync replicas (and to drop it from the
   * ISRs), with its broker epoch; retried {@code controlled.shutdown.max.retries} times every
   * {@code controlled.shutdown.retry.backoff.ms} while partitions that another live replica could
   * take over (once it is back in the ISR) remain led here. Partitions without another live replica
   * (a single replica, or the others are down) cannot move and do not cause retries. Skipped when
   * disabled, unregistered or without a ZooKeeper connection. Never throws: the rest of the
   * shutdown follows in any case.
   */
  void controlledShutdown() {
    int id = config.brokerId();
    if (!config.getBoolean(BrokerConfig.CONTROLLED_SHUTDOWN_ENABLE)
        || registrar == null
        || adminForwarder == null) {
      return;
    }
    long epoch = registrar.brokerEpoch();
    if (epoch < 0 || zk == null || !zk.getZookeeperClient().isConnected()) {
      log.info("Broker {}: no controlled shutdown (not registered or no ZooKeeper session)", id);
      return;
    }
    int attempts = Math.max(1, config.getInt(BrokerConfig.CONTROLLED_SHUTDOWN_MAX_RETRIES));
    long backoffMs = config.getLong(BrokerConfig.CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS);
    log.info("Broker {} starting controlled shutdown (broker epoch {})", id, epoch);
    ControlledShutdownRequest req =
        ControlledShutdownRequest.newBuilder().setBrokerId(id).setBrokerEpoch(epoch).build();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      ControlledShutdownResponse r;
      try {
        r =
            adminForwarder
                .controlledShutdown(req, config.requestTimeoutMs())
                .get(config.requestTimeoutMs() + 5_000L, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("Broker {}: controlled shutdown interrupted", id);
        return;
      } catch (Exception e) {
        r =
            ControlledShutdownResponse.newBuilder()
                .setError(io.brook.protocol.v1.ErrorCode.REQUEST_TIMED_OUT)
                .setErrorMessage(e.toString())
                .build();
      }
      if (r.getError() == io.brook.protocol.v1.ErrorCode.NONE) {
        if (r.getRemainingPartitionsCount() == 0) {
          log.info("Broker {}: controlled shutdown succeeded, no partition is led here", id);
          return;
        }
        java.util.Set<Integer> otherLive = new java.util.HashSet<>();
        metadataCache.liveBrokers().forEach(b -> otherLive.add(b.getId()));
        otherLive.remove(id);
        List<String> movable = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (var tp : r.getRemainingPartitionsList()) {
          String name = tp.getTopic() + "-" + tp.getPartition();
          boolean anotherLiveReplica =
              metadataCache
                  .partition(new io.brook.common.TopicPartition(tp.getTopic(), tp.getPartition()))
                  .map(ps -> ps.getReplicasList().stream().anyMatch(otherLive::contains))
                  .orElse(false);
          (anotherLiveReplica ? movable : stuck).add(name);
        }
        if (movable.isEmpty()) {
          log.info(
              "Broker {}: controlled shutdown done; partitions without another live replica stay led"
                  + " here until it returns: {}",
              id,
              stuck);
          return;
        }
        log.info(
            "Broker {}: controlled shutdown attempt {} of {}: still leading {} (no other in-sync"
                + " replica yet)",
            id,
            attempt,
            attempts,
            movable);
      } else if (r.getError() == io.brook.protocol.v1.ErrorCode.STALE_BROKER_EPOCH) {
        log.warn("Broker {}: controlled shutdown refused: {}", id, r.getErrorMessage());
        return;
      } else {
        log.warn(
            "Broker {}: controlled shutdown attempt {} of {} failed: {} {}",
            id,
            attempt,
            attempts,
            r.getError(),
            r.getErrorMessage());
      }
      if (attempt < attempts) {
        try {
          time.sleep(backoffMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    log.warn(
        "Broker {}: controlled shutdown did not complete after {} attempts; shutting down anyway",
        id,
        attempts);
  }

  private interface Step {
    void run() throws Exception;
  }

  private void run(List<Throwable> errors, Step step) {
    if (step == null) {
      return;
    }
    try {
      step.run();
    } catch (Throwable t) {
      log.error("Error during shutdown of broker {}", config.brokerId(), t);
      errors.add(t);
    }
  }
}
