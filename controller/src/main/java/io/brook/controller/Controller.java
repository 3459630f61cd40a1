package io.brook.controller;

import io.brook.common.Scheduler;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.controller.grpc.ControllerGrpcService;
import io.brook.controller.zk.ControllerElector;
import io.brook.controller.zk.ControllerMovedException;
import io.brook.controller.zk.FencedZkWriter;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.ControlledShutdownRequest;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A controller candidate, and the active controller while elected (DESIGN.md, "Controller").
 *
 * <p>Lifecycle LATENT -> STARTED -> CLOSED: {@link #start()} joins the LeaderLatch election (a
 * second call fails; a broker with {@code controller.candidate=false} never joins), {@link
 * #close()} resigns, leaves the election and closes the {@link BrokerChannels} (the controller owns
 * them). Closing is idempotent.
 *
 * <p>Threading: one event thread ("controller-event-thread-&lt;id&gt;") owns all controller state
 * ({@link ActiveController}, one per controller epoch). Latch callbacks, ZooKeeper watches, broker
 * responses, timers and the public request methods only enqueue events; the public methods are
 * thread-safe and return futures completed from the event thread (or a timer). An event that finds
 * the controller fenced ({@link ControllerMovedException}) makes it resign; any other failure is
 * logged and the event thread goes on.
 *
 * <p>Invariant: {@link #isActive()} is true only between a successful epoch claim and the next
 * resignation, and every ZooKeeper write in that window goes through the epoch's {@link
 * FencedZkWriter}.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(Controller.class);
  private static final long REELECTION_BACKOFF_MS = 1000;
  private static final long FIRST_LEADER_IMBALANCE_CHECK_MS = 5000;

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final ControllerConfig cfg;
  private final CuratorFramework client;
  private final BrokerChannels channels;
  private final Time time;
  private final Random random;
  private final ExecutorService eventThread;
  private final ControllerElector elector;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private volatile ActiveController active;

  /** Runs the periodic leader imbalance check; owned (closed) only when this class made it. */
  private final Scheduler timer;

  private final boolean ownsTimer;

  /** The active epoch's leader imbalance check; event thread only. */
  private ScheduledFuture<?> leaderRebalanceTask;

  public Controller(
      ControllerConfig cfg, CuratorFramework client, BrokerChannels channels, Time time) {
    this(cfg, client, channels, time, new Random());
  }

  /** With an injected source of randomness (replica placement, topic ids). */
  public Controller(
      ControllerConfig cfg,
      CuratorFramework client,
      BrokerChannels channels,
      Time time,
      Random random) {
    this(cfg, client, channels, time, random, null);
  }

  /**
   * With an injected {@link Scheduler} for the controller's periodic work (the automatic leader
   * rebalance check), so that tests drive it; {@code null}: a daemon thread of its own.
   */
  public Controller(
      ControllerConfig cfg,
      CuratorFramework client,
      BrokerChannels channels,
      Time time,
      Random random,
      Scheduler timer) {
    this.ownsTimer = timer == null;
    this.timer =
        timer != null ? timer : new ThreadPoolScheduler("controller-timer-" + cfg.brokerId(), 1);
    this.cfg = cfg;
    this.client = client;
    this.channels = channels;
    this.time = time;
    this.random = random;
    this.eventThread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "controller-event-thread-" + cfg.brokerId());
              t.setDaemon(true);
              return t;
            });
    this.elector =
        new ControllerElector(
            client,
            cfg.brokerId(),
            r -> enqueue("latch", r),
            new ControllerElector.Listener() {
              @Override
              public void onElected() {
                becomeController();
              }

              @Override
              public void onResigned() {
                resign("lost leadership");
              }
            },
            time);
  }

  /** Joins the controller election (unless controller.candidate=false). */
  public void start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("Cannot be started more than once");
    }
    if (cfg.candidate()) {
      elector.start();
    } else {
      log.info("Broker {} is not a controller candidate", cfg.brokerId());
    }
  }

  /** Whether this broker is the active controller (elected, epoch claimed, not fenced). */
  public boolean isActive() {
    ActiveController a = active;
    return a != null && a.isCurrent();
  }

  /** The epoch of this controller while active, -1 otherwise. */
  public int controllerEpoch() {
    ActiveController a = active;
    return a != null && a.isCurrent() ? a.epoch() : -1;
  }

  public int brokerId() {
    return cfg.brokerId();
  }

  /** Creates topics; every topic gets NOT_CONTROLLER when this broker is not the controller. */
  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
    CompletableFuture<CreateTopicsResponse> f = new CompletableFuture<>();
    submit(
        "create topics",
        f,
        a -> a.createTopics(request, f),
        () -> {
          CreateTopicsResponse.Builder b = CreateTopicsResponse.newBuilder();
          for (CreatableTopic t : request.getTopicsList()) {
            b.addTopics(
                CreatableTopicResult.newBuilder()
                    .setName(t.getName())
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(notControllerMessage()));
          }
          return b.build();
        });
    return f;
  }

  /** Deletes topics; every topic gets NOT_CONTROLLER when this broker is not the controller. */
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
    CompletableFuture<DeleteTopicsResponse> f = new CompletableFuture<>();
    submit(
        "delete topics",
        f,
        a -> a.deleteTopics(request, f),
        () -> {
          DeleteTopicsResponse.Builder b = DeleteTopicsResponse.newBuilder();
          for (String t : request.getTopicNamesList()) {
            b.addTopics(
                DeletableTopicResult.newBuilder()
                    .setName(t)
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(notControllerMessage()));
          }
          return b.build();
        });
    return f;
  }

  /**
   * Adds partitions to existing topics; every topic gets NOT_CONTROLLER when this broker is not the
   * controller.
   */
  public CompletableFuture<CreatePartitionsResponse> createPartitions(
      CreatePartitionsRequest request) {
    CompletableFuture<CreatePartitionsResponse> f = new CompletableFuture<>();
    submit(
        "create partitions",
        f,
        a -> a.createPartitions(request, f),
        () -> {
          CreatePartitionsResponse.Builder b = CreatePartitionsResponse.newBuilder();
          for (CreatePartitionsTopic t : request.getTopicsList()) {
            b.addResults(
                CreatePartitionsTopicResult.newBuilder()
                    .setName(t.getName())
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(notControllerMessage()));
          }
          return b.build();
        });
    return f;
  }

  /**
   * Moves leadership away from a broker that shuts down; answers with the partitions it still leads
   * (those with no other live in-sync replica, e.g. every single-replica partition).
   */
  public CompletableFuture<ControlledShutdownResponse> controlledShutdown(
      ControlledShutdownRequest request) {
    CompletableFuture<ControlledShutdownResponse> f = new CompletableFuture<>();
    submit(
        "controlled shutdown of broker " + request.getBrokerId(),
        f,
        a -> f.complete(a.controlledShutdown(request.getBrokerId(), request.getBrokerEpoch())),
        () ->
            ControlledShutdownResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /**
   * An ISR change asked for by a partition leader (KIP-497). Whole-request NOT_CONTROLLER when this
   * broker is not the active controller, STALE_BROKER_EPOCH for a stale sender; otherwise one
   * result per partition with the committed state.
   */
  public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest request) {
    CompletableFuture<AlterPartitionResponse> f = new CompletableFuture<>();
    submit(
        "AlterPartition from broker " + request.getBrokerId(),
        f,
        a -> f.complete(a.alterPartition(request)),
        () ->
            AlterPartitionResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /** Hands the sender the next block of producer ids (KIP-730). */
  public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
      AllocateProducerIdsRequest request) {
    CompletableFuture<AllocateProducerIdsResponse> f = new CompletableFuture<>();
    submit(
        "AllocateProducerIds for broker " + request.getBrokerId(),
        f,
        a -> f.complete(a.allocateProducerIds(request)),
        () ->
            AllocateProducerIdsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /**
   * Elects leaders (KIP-460): PREFERRED or UNCLEAN, for the named partitions or all of them; one
   * result per partition. Whole-request NOT_CONTROLLER when this broker is not the controller.
   */
  public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request) {
    CompletableFuture<ElectLeadersResponse> f = new CompletableFuture<>();
    submit(
        "elect leaders (" + request.getElectionType() + ")",
        f,
        a -> a.electLeaders(request, f),
        () ->
            ElectLeadersResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /**
   * Starts, redirects or cancels partition reassignments (KIP-455). The whole plan is validated
   * first: one bad partition refuses it all with nothing changed. Answers once the reassignments
   * are recorded in ZooKeeper (not when they complete). NOT_CONTROLLER when this broker is not the
   * active controller.
   */
  public CompletableFuture<io.brook.protocol.v1.AlterPartitionReassignmentsResponse>
      alterPartitionReassignments(io.brook.protocol.v1.AlterPartitionReassignmentsRequest request) {
    CompletableFuture<io.brook.protocol.v1.AlterPartitionReassignmentsResponse> f =
        new CompletableFuture<>();
    submit(
        "alter partition reassignments",
        f,
        a -> f.complete(a.alterPartitionReassignments(request)),
        () ->
            io.brook.protocol.v1.AlterPartitionReassignmentsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /** The partition reassignments in progress (all, or among the requested partitions). */
  public CompletableFuture<io.brook.protocol.v1.ListPartitionReassignmentsResponse>
      listPartitionReassignments(io.brook.protocol.v1.ListPartitionReassignmentsRequest request) {
    CompletableFuture<io.brook.protocol.v1.ListPartitionReassignmentsResponse> f =
        new CompletableFuture<>();
    submit(
        "list partition reassignments",
        f,
        a -> f.complete(a.listPartitionReassignments(request)),
        () ->
            io.brook.protocol.v1.ListPartitionReassignmentsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(notControllerMessage())
                .build());
    return f;
  }

  /** The ControllerService gRPC adapter over this controller. */
  public io.grpc.BindableService grpcService() {
    return new ControllerGrpcService(this);
  }

  /** Resigns, leaves the election, stops the event thread and closes the channels. Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    elector.close();
    try {
      eventThread.submit(() -> resign("shutting down")).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Controller {} did not resign cleanly: {}", cfg.brokerId(), e.toString());
    }
    eventThread.shutdownNow();
    if (ownsTimer) {
      timer.close();
    }
    channels.close();
  }

  /**
   * Alters topic and broker configs; every resource gets NOT_CONTROLLER when this broker is not the
   * controller.
   */
  public CompletableFuture<io.brook.protocol.v1.IncrementalAlterConfigsResponse>
      incrementalAlterConfigs(io.brook.protocol.v1.IncrementalAlterConfigsRequest request) {
    CompletableFuture<io.brook.protocol.v1.IncrementalAlterConfigsResponse> f =
        new CompletableFuture<>();
    submit(
        "alter configs",
        f,
        a -> a.incrementalAlterConfigs(request, f),
        () -> {
          var b = io.brook.protocol.v1.IncrementalAlterConfigsResponse.newBuilder();
          for (var r : request.getResourcesList()) {
            b.addResults(
                io.brook.protocol.v1.AlterConfigsResourceResult.newBuilder()
                    .setResource(r.getResource())
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(notControllerMessage()));
          }
          return b.build();
        });
    return f;
  }

  // ================================================================ event thread

  private void submit(
      String name,
      CompletableFuture<?> future,
      Consumer<ActiveController> whenActive,
      java.util.function.Supplier<Object> whenNot) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Object> f = (CompletableFuture<Object>) future;
    try {
      eventThread.execute(
          () -> {
            ActiveController a = active;
            if (a == null || !a.isCurrent()) {
              f.complete(whenNot.get());
              return;
            }
            try {
              whenActive.accept(a);
            } catch (RuntimeException e) {
              handleFailure(name, a, e);
              if (!f.isDone()) {
                f.complete(whenNot.get());
              }
            }
          });
    } catch (RejectedExecutionException e) {
      f.complete(whenNot.get());
    }
  }

  /** Enqueues an event that is not tied to a controller epoch. */
  private void enqueue(String name, Runnable r) {
    try {
      eventThread.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              handleFailure(name, active, e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("Controller closed; dropping event {}", name);
    }
  }

  /** Enqueues an event of {@code owner}; dropped if {@code owner} is no longer active then. */
  private void enqueueFor(ActiveController owner, String name, Runnable r) {
    enqueue(
        name,
        () -> {
          if (active == owner && owner.isCurrent()) {
            r.run();
          }
        });
  }

  private void handleFailure(String event, ActiveController a, RuntimeException e) {
    if (e instanceof ControllerMovedException) {
      log.warn("Controller {} was fenced during {}: {}", cfg.brokerId(), event, e.getMessage());
      resign("fenced");
      return;
    }
    log.error("Controller {}: event {} failed", cfg.brokerId(), event, e);
    if (a != null && a == active && !a.isCurrent()) {
      resign("writer disabled");
    }
  }

  private void becomeController() {
    if (state.get() != State.STARTED || (active != null && active.isCurrent())) {
      return;
    }
    if (active != null) {
      resign("stale epoch");
    }
    if (!elector.hasLeadership()) {
      return;
    }
    FencedZkWriter writer;
    try {
      writer = elector.claim();
    } catch (RuntimeException e) {
      log.warn("Broker {} could not claim the controller epoch: {}", cfg.brokerId(), e.toString());
      retryElectionLater();
      return;
    }
    ActiveController a =
        new ActiveController(
            cfg,
            client,
            writer,
            channels,
            random,
            (owner, name, r) -> enqueueFor(owner, name, r),
            time);
    active = a;
    try {
      a.activate();
      log.info("Broker {} became controller (epoch {})", cfg.brokerId(), writer.epoch());
      scheduleLeaderRebalance(a);
      if (cfg.electLeaderOutsideIsr()) {
        log.warn(
            "TEST FAULT ON: controller {} elects partition leaders from OUTSIDE the ISR when it"
                + " can (brook.test.electLeaderOutsideIsr); committed records will be lost",
            cfg.brokerId());
      }
    } catch (ControllerMovedException e) {
      log.warn(
          "Broker {} was fenced while becoming controller: {}", cfg.brokerId(), e.getMessage());
      resign("fenced");
    } catch (RuntimeException e) {
      log.error("Broker {} failed to become controller; resigning", cfg.brokerId(), e);
      writer.disable();
      resign("failover failed");
      retryElectionLater();
    }
  }

  private void retryElectionLater() {
    CompletableFuture.delayedExecutor(REELECTION_BACKOFF_MS, TimeUnit.MILLISECONDS)
        .execute(() -> enqueue("retry becoming controller", this::becomeController));
  }

  /**
   * Kafka's schedule: the first check a few seconds after becoming controller (at most one
   * interval), then one every leader.imbalance.check.interval.seconds.
   */
  private void scheduleLeaderRebalance(ActiveController a) {
    if (!cfg.autoLeaderRebalanceEnable()) {
      log.info("Automatic leader rebalance is off (auto.leader.rebalance.enable=false)");
      return;
    }
    long interval = cfg.leaderImbalanceCheckIntervalMs();
    leaderRebalanceTask =
        timer.schedule(
            "leader imbalance check",
            () -> enqueueFor(a, "leader imbalance check", a::checkLeaderImbalance),
            Math.min(FIRST_LEADER_IMBALANCE_CHECK_MS, interval),
            interval);
  }

  private void resign(String why) {
    ActiveController a = active;
    if (a == null) {
      return;
    }
    if (leaderRebalanceTask != null) {
      leaderRebalanceTask.cancel(false);
      leaderRebalanceTask = null;
    }
    active = null;
    a.resign();
    log.info("Broker {} resigned as controller (epoch {}): {}", cfg.brokerId(), a.epoch(), why);
  }

  private String notControllerMessage() {
    return "Broker " + cfg.brokerId() + " is not the active controller.";
  }

  Time time() {
    return time;
  }
}
