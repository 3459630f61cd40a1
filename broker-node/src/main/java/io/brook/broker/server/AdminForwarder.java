package io.brook.broker.server;

import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ControlledShutdownRequest;
import io.brook.protocol.v1.ControlledShutdownResponse;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeletableTopicResult;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sends controller calls (CreateTopics, DeleteTopics, CreatePartitions, AlterPartition,
 * AllocateProducerIds, ControlledShutdown, and the operations calls IncrementalAlterConfigs,
 * Alter/ListPartitionReassignments, ElectLeaders) to the active controller: the one in this broker
 * when it is active, otherwise the controller named by the metadata cache over ControllerService.
 * While no controller answers (an election is in progress: NOT_CONTROLLER, unknown controller,
 * unreachable), the call is retried every {@code retry.backoff.ms} until its timeout, then answered
 * with NOT_CONTROLLER per topic.
 *
 * <p>Thread-safe. Retries run on the scheduler; nothing blocks.
 */
public final class AdminForwarder {
  private static final Logger log = LogManager.getLogger(AdminForwarder.class);

  private final int brokerId;
  private final LocalController local;
  private final ControllerClient remote;
  private final MetadataCache cache;
  private final Scheduler scheduler;
  private final Time time;
  private final long defaultTimeoutMs;
  private final long retryBackoffMs;
  private final Set<String> autoCreating = ConcurrentHashMap.newKeySet();

  public AdminForwarder(
      int brokerId,
      LocalController local,
      ControllerClient remote,
      MetadataCache cache,
      Scheduler scheduler,
      Time time,
      long defaultTimeoutMs,
      long retryBackoffMs) {
    this.brokerId = brokerId;
    this.local = local;
    this.remote = remote;
    this.cache = cache;
    this.scheduler = scheduler;
    this.time = time;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
  }

  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest req) {
    long timeoutMs = req.getTimeoutMs() > 0 ? req.getTimeoutMs() : defaultTimeoutMs;
    return forward(
        timeoutMs,
        c -> c.createTopics(req),
        (ep, left) -> remote.createTopics(ep, req, left),
        r ->
            r.getTopicsCount() > 0
                && r.getTopicsList().stream()
                    .allMatch(t -> t.getError() == ErrorCode.NOT_CONTROLLER),
        why -> {
          CreateTopicsResponse.Builder b = CreateTopicsResponse.newBuilder();
          for (CreatableTopic t : req.getTopicsList()) {
            b.addTopics(
                CreatableTopicResult.newBuilder()
                    .setName(t.getName())
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(why));
          }
          return b.build();
        });
  }

  public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest req) {
    long timeoutMs = req.getTimeoutMs() > 0 ? req.getTimeoutMs() : defaultTimeoutMs;
    return forward(
        timeoutMs,
        c -> c.createPartitions(req),
        (ep, left) -> remote.createPartitions(ep, req, left),
        r ->
            r.getResultsCount() > 0
                && r.getResultsList().stream()
                    .allMatch(t -> t.getError() == ErrorCode.NOT_CONTROLLER),
        why -> {
          CreatePartitionsResponse.Builder b = CreatePartitionsResponse.newBuilder();
          req.getTopicsList()
              .forEach(
                  t ->
                      b.addResults(
                          CreatePartitionsTopicResult.newBuilder()
                              .setName(t.getName())
                              .setError(ErrorCode.NOT_CONTROLLER)
                              .setErrorMessage(why)));
          return b.build();
        });
  }

  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest req) {
    long timeoutMs = req.getTimeoutMs() > 0 ? req.getTimeoutMs() : defaultTimeoutMs;
    return forward(
        timeoutMs,
        c -> c.deleteTopics(req),
        (ep, left) -> remote.deleteTopics(ep, req, left),
        r ->
            r.getTopicsCount() > 0
                && r.getTopicsList().stream()
                    .allMatch(t -> t.getError() == ErrorCode.NOT_CONTROLLER),
        why -> {
          DeleteTopicsResponse.Builder b = DeleteTopicsResponse.newBuilder();
          for (String name : req.getTopicNamesList()) {
            b.addTopics(
                DeletableTopicResult.newBuilder()
                    .setName(name)
                    .setError(ErrorCode.NOT_CONTROLLER)
                    .setErrorMessage(why));
          }
          return b.build();
        });
  }

  /**
   * Sends an ISR change (from a partition leader) to the active controller; retried while no
   * controller answers, until {@code request.timeout.ms}; then answered with a whole-request
   * NOT_CONTROLLER. Other errors (STALE_BROKER_EPOCH, per-partition errors) are the caller's.
   */
  public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest req) {
    return forward(
        defaultTimeoutMs,
        c -> c.alterPartition(req),
        (ep, left) -> remote.alterPartition(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            AlterPartitionResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  /**
   * Asks the active controller for a block of producer ids; retried like {@link #alterPartition}.
   */
  public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
      AllocateProducerIdsRequest req) {
    return forward(
        defaultTimeoutMs,
        c -> c.allocateProducerIds(req),
        (ep, left) -> remote.allocateProducerIds(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            AllocateProducerIdsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  /**
   * Tells the active controller that this broker shuts down (it moves leadership away); retried
   * like {@link #alterPartition}, within {@code timeoutMs}.
   */
  public CompletableFuture<ControlledShutdownResponse> controlledShutdown(
      ControlledShutdownRequest req, long timeoutMs) {
    return forward(
        timeoutMs,
        c -> c.controlledShutdown(req),
        (ep, left) -> remote.controlledShutdown(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            ControlledShutdownResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  /**
   * Changes topic or broker configs on the active controller; retried while no controller answers
   * (every resource NOT_CONTROLLER), then NOT_CONTROLLER per resource.
   */
  public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      IncrementalAlterConfigsRequest req) {
    return forward(
        timeoutOf(req.getTimeoutMs()),
        c -> c.incrementalAlterConfigs(req),
        (ep, left) -> remote.incrementalAlterConfigs(ep, req, left),
        r ->
            r.getResultsCount() > 0
                && r.getResultsList().stream()
                    .allMatch(x -> x.getError() == ErrorCode.NOT_CONTROLLER),
        why -> {
          IncrementalAlterConfigsResponse.Builder b = IncrementalAlterConfigsResponse.newBuilder();
          req.getResourcesList()
              .forEach(
                  res ->
                      b.addResults(
                          AlterConfigsResourceResult.newBuilder()
                              .setResource(res.getResource())
                              .setError(ErrorCode.NOT_CONTROLLER)
                              .setErrorMessage(why)));
          return b.build();
        });
  }

  /** Starts or cancels reassignments on the active controller; retried like the others. */
  public CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      AlterPartitionReassignmentsRequest req) {
    return forward(
        timeoutOf(req.getTimeoutMs()),
        c -> c.alterPartitionReassignments(req),
        (ep, left) -> remote.alterPartitionReassignments(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            AlterPartitionReassignmentsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  /** The reassignments in progress, as the active controller knows them. */
  public CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      ListPartitionReassignmentsRequest req) {
    return forward(
        timeoutOf(req.getTimeoutMs()),
        c -> c.listPartitionReassignments(req),
        (ep, left) -> remote.listPartitionReassignments(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            ListPartitionReassignmentsResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  /** Preferred or unclean leader elections on the active controller. */
  public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest req) {
    return forward(
        timeoutOf(req.getTimeoutMs()),
        c -> c.electLeaders(req),
        (ep, left) -> remote.electLeaders(ep, req, left),
        r -> r.getError() == ErrorCode.NOT_CONTROLLER,
        why ->
            ElectLeadersResponse.newBuilder()
                .setError(ErrorCode.NOT_CONTROLLER)
                .setErrorMessage(why)
                .build());
  }

  private long timeoutOf(int requested) {
    return requested > 0 ? requested : defaultTimeoutMs;
  }

  /**
   * Asks the controller to create {@code topic} with the cluster defaults, unless such a request is
   * already on its way. Does not wait.
   */
  public void autoCreate(String topic) {
    if (!autoCreating.add(topic)) {
      return;
    }
    log.info("Auto-creating topic {} with the cluster defaults", topic);
    CreateTopicsRequest req =
        CreateTopicsRequest.newBuilder()
            .addTopics(
                CreatableTopic.newBuilder()
                    .setName(topic)
                    .setNumPartitions(-1)
                    .setReplicationFactor(-1))
            .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, defaultTimeoutMs))
            .build();
    createTopics(req)
        .whenComplete(
            (r, e) -> {
              autoCreating.remove(topic);
              if (e != null) {
                log.warn("Auto-creation of topic {} failed", topic, e);
              } else {
                r.getTopicsList().stream()
                    .filter(
                        t ->
                            t.getError() != ErrorCode.NONE
                                && t.getError() != ErrorCode.TOPIC_ALREADY_EXISTS)
                    .forEach(
                        t ->
                            log.warn(
                                "Auto-creation of topic {} failed: {} {}",
                                topic,
                                t.getError(),
                                t.getErrorMessage()));
              }
            });
  }

  private <R> CompletableFuture<R> forward(
      long timeoutMs,
      Function<LocalController, CompletableFuture<R>> toLocal,
      BiFunction<BrokerEndpoint, Long, CompletableFuture<R>> toRemote,
      Predicate<R> notController,
      Function<String, R> giveUp) {
    CompletableFuture<R> result = new CompletableFuture<>();
    long deadline = time.hiResClockMs() + timeoutMs;
    attempt(deadline, toLocal, toRemote, notController, giveUp, result);
    return result;
  }

  private <R> void attempt(
      long deadline,
      Function<LocalController, CompletableFuture<R>> toLocal,
      BiFunction<BrokerEndpoint, Long, CompletableFuture<R>> toRemote,
      Predicate<R> notController,
      Function<String, R> giveUp,
      CompletableFuture<R> result) {
    long left = deadline - time.hiResClockMs();
    CompletableFuture<R> call;
    String target;
    if (local.isActive()) {
      target = "the local controller";
      call = toLocal.apply(local);
    } else {
      int id = cache.controllerId();
      Optional<BrokerEndpoint> ep = id == brokerId ? Optional.empty() : cache.broker(id);
      if (ep.isEmpty()) {
        retryOrGiveUp(
            deadline,
            "no active controller is known (election in progress?)",
            () -> attempt(deadline, toLocal, toRemote, notController, giveUp, result),
            giveUp,
            result);
        return;
      }
      target = "controller " + id + " at " + ep.get().getHost() + ":" + ep.get().getPort();
      call = toRemote.apply(ep.get(), Math.max(1, left));
    }
    call.whenComplete(
        (r, e) -> {
          if (e == null && !notController.test(r)) {
            result.complete(r);
            return;
          }
          String why =
              e != null
                  ? target + " could not be reached: " + e.getMessage()
                  : target + " is not the active controller";
          log.debug("Admin call not answered: {}; retrying", why);
          retryOrGiveUp(
              deadline,
              why,
              () -> attempt(deadline, toLocal, toRemote, notController, giveUp, result),
              giveUp,
              result);
        });
  }

  private <R> void retryOrGiveUp(
      long deadline,
      String why,
      Runnable retry,
      Function<String, R> giveUp,
      CompletableFuture<R> result) {
    if (time.hiResClockMs() + retryBackoffMs >= deadline) {
      result.complete(giveUp.apply("No controller answered within the timeout: " + why));
      return;
    }
    try {
      scheduler.schedule("admin-forward-retry", retry, retryBackoffMs, 0);
    } catch (RejectedExecutionException e) {
      result.complete(giveUp.apply("The broker is shutting down: " + why));
    }
  }
}
