package io.brook.client.consumer.internals;

import io.brook.client.common.Node;
import io.brook.client.common.errors.ApiException;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.CoordinatorNotAvailableException;
import io.brook.client.common.errors.FencedInstanceIdException;
import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.consumer.CommitFailedException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.consumer.OffsetCommitCallback;
import io.brook.client.consumer.RetriableCommitFailedException;
import io.brook.client.consumer.WakeupException;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitPartitionResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitTopicResponse;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import io.brook.protocol.v1.OffsetFetchTopicResponse;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The group's offsets, for a {@link ConsumerCoordinator}: commits (synchronous with retries until a
 * deadline, asynchronous with callbacks run later on the polling thread, periodic auto-commits of
 * the consumed positions, i.e. of records poll() returned), and committed offsets (OffsetFetch)
 * from which new partitions start. Commit errors map as Kafka's OffsetCommitResponseHandler:
 * fencing (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS) fails with {@link
 * CommitFailedException}; coordinator errors are retriable and make the coordinator be found again.
 *
 * <p>Thread rules: the polling thread calls every method; the gRPC callback of an asynchronous
 * commit only queues its completion ({@link #invokeCompletedOffsetCommitCallbacks} runs it).
 */
public final class ConsumerOffsets {
  private static final Logger LOG = LogManager.getLogger(ConsumerOffsets.class);

  private final ConsumerCoordinator group;
  private final ConsumerCoordinator.Settings settings;
  private final BrokerChannels channels;
  private final Fetcher fetcher;
  private final Time time;
  private final ConcurrentLinkedQueue<Runnable> completedCommitCallbacks =
      new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlightAsyncCommits = new AtomicInteger();

  /** Polling thread (and, for a retry, an auto-commit callback, also on the polling thread). */
  private long nextAutoCommitMs;

  ConsumerOffsets(
      ConsumerCoordinator group,
      ConsumerCoordinator.Settings settings,
      BrokerChannels channels,
      Fetcher fetcher,
      Time time) {
    this.group = group;
    this.settings = settings;
    this.channels = channels;
    this.fetcher = fetcher;
    this.time = time;
    this.nextAutoCommitMs = time.hiResClockMs() + settings.autoCommitIntervalMs();
  }

  /** The consumed position of every assigned partition that has one (what a commit saves). */
  public Map<TopicPartition, OffsetAndMetadata> allConsumed() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : fetcher.assignment()) {
      long p = fetcher.state(tp).position;
      if (p >= 0) {
        out.put(tp, new OffsetAndMetadata(p));
      }
    }
    return out;
  }

  /**
   * For partitions without a position and no pending reset: their committed offset, else {@code
   * auto.offset.reset} (with "none" they stay without position and the consumer throws).
   *
   * @return false when the deadline passed first
   */
  public boolean refreshCommittedOffsetsIfNeeded(long deadlineMs) {
    Set<TopicPartition> missing = new HashSet<>();
    for (TopicPartition tp : fetcher.assignment()) {
      Fetcher.PartitionState s = fetcher.state(tp);
      if (s.position < 0 && s.resetTo == null) {
        missing.add(tp);
      }
    }
    if (missing.isEmpty()) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed = fetchCommittedOffsets(missing, deadlineMs);
    } catch (TimeoutException e) {
      return false;
    }
    for (TopicPartition tp : missing) {
      if (!fetcher.assignment().contains(tp)) {
        continue;
      }
      OffsetAndMetadata o = committed.get(tp);
      if (o != null) {
        LOG.info(
            "Setting offset for partition {} to the committed offset FetchPosition{{offset={}}}",
            tp,
            o.offset());
        fetcher.seek(tp, o.offset());
      } else if (settings.defaultResetTo() != null) {
        fetcher.requestReset(tp, settings.defaultResetTo());
      }
    }
    return true;
  }

  /** OffsetFetch with retries until the deadline; partitions without a commit map to null. */
  public Map<TopicPartition, OffsetAndMetadata> fetchCommittedOffsets(
      Set<TopicPartition> partitions, long deadlineMs) {
    invokeCompletedOffsetCommitCallbacks();
    Map<String, OffsetFetchTopic.Builder> topics = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      topics
          .computeIfAbsent(tp.topic(), t -> OffsetFetchTopic.newBuilder().setName(t))
          .addPartitions(tp.partition());
    }
    OffsetFetchRequest.Builder req = OffsetFetchRequest.newBuilder().setGroupId(settings.groupId());
    topics.values().forEach(req::addTopics);
    BrookException last = null;
    while (true) {
      if (!group.ensureCoordinatorReady(deadlineMs)) {
        break;
      }
      Node node = group.coordinator();
      if (node == null) {
        continue;
      }
      long left = deadlineMs - time.hiResClockMs();
      if (left <= 0) {
        break;
      }
      OffsetFetchResponse r;
      try {
        r =
            channels
                .blockingStub(node)
                .withDeadlineAfter(
                    Math.min(left, settings.requestTimeoutMs()), TimeUnit.MILLISECONDS)
                .offsetFetch(req.build());
      } catch (StatusRuntimeException e) {
        last = ErrorMapping.fromStatus(e, node.host() + ":" + node.port());
        group.markCoordinatorUnknown(last.getMessage());
        group.backoff(deadlineMs);
        continue;
      }
      if (r.getError() != ErrorCode.NONE) {
        ApiException e = ErrorMapping.exception(r.getError(), r.getErrorMessage());
        if (!(e instanceof RetriableException)) {
          throw e;
        }
        last = e;
        if (r.getError() != ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
          group.markCoordinatorUnknown(r.getError().name());
        }
        group.backoff(deadlineMs);
        continue;
      }
      Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
      for (OffsetFetchTopicResponse t : r.getTopicsList()) {
        for (OffsetFetchPartitionResponse p : t.getPartitionsList()) {
          TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
          if (p.getError() != ErrorCode.NONE
              && p.getError() != ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw ErrorMapping.exception(p.getError(), "");
          }
          if (p.getError() == ErrorCode.NONE && p.getCommittedOffset() >= 0) {
            out.put(
                tp,
                new OffsetAndMetadata(
                    p.getCommittedOffset(),
                    p.getCommittedLeaderEpoch() >= 0
                        ? Optional.of(p.getCommittedLeaderEpoch())
                        : Optional.empty(),
                    p.getMetadata()));
          }
        }
      }
      return out;
    }
    throw new TimeoutException(
        "Timeout expired before the last committed offset for partitions "
            + ConsumerCoordinator.sorted(partitions)
            + " could be determined. Try tuning default.api.timeout.ms larger to relax the"
            + " threshold."
            + (last == null ? "" : " Last error: " + last.getMessage()));
  }

  private CompletableFuture<OffsetCommitResponse> sendOffsetCommit(
      Node node,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerCoordinator.CommitGeneration g) {
    Map<String, OffsetCommitTopic.Builder> topics = new TreeMap<>();
    offsets.forEach(
        (tp, o) ->
            topics
                .computeIfAbsent(tp.topic(), t -> OffsetCommitTopic.newBuilder().setName(t))
                .addPartitions(
                    OffsetCommitPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setCommittedOffset(o.offset())
                        .setCommittedLeaderEpoch(o.leaderEpoch().orElse(-1))
                        .setCommittedMetadata(o.metadata())));
    OffsetCommitRequest.Builder req =
        OffsetCommitRequest.newBuilder()
            .setGroupId(settings.groupId())
            .setGenerationId(g.generation())
            .setMemberId(g.memberId())
            .setGroupInstanceId(g.generation() < 0 ? "" : settings.groupInstanceId().orElse(""));
    topics.values().forEach(req::addTopics);
    OffsetCommitRequest built = req.build();
    return GrpcCalls.unary(
        o ->
            channels
                .asyncStub(node)
                .withDeadlineAfter(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .offsetCommit(built, o));
  }

  /**
   * The outcome of a commit response, as Kafka's OffsetCommitResponseHandler: null when every
   * partition was committed, else the exception (retriable ones may be retried).
   */
  private RuntimeException commitOutcome(
      OffsetCommitResponse r, ConsumerCoordinator.CommitGeneration g) {
    RuntimeException retriable = null;
    for (OffsetCommitTopicResponse t : r.getTopicsList()) {
      for (OffsetCommitPartitionResponse p : t.getPartitionsList()) {
        ErrorCode code = p.getError();
        TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
        switch (code) {
          case NONE -> {}
          case COORDINATOR_LOAD_IN_PROGRESS ->
              retriable = ErrorMapping.exception(code, p.getErrorMessage());
          case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, REQUEST_TIMED_OUT -> {
            group.markCoordinatorUnknown(code.name());
            retriable = ErrorMapping.exception(code, p.getErrorMessage());
          }
          case UNKNOWN_TOPIC_OR_PARTITION ->
              retriable =
                  new UnknownTopicOrPartitionException(
                      "Offset commit failed on partition " + tp + ": " + p.getErrorMessage());
          case FENCED_INSTANCE_ID -> {
            LOG.info(
                "OffsetCommit failed: the member's group.instance.id {} was fenced by another"
                    + " member",
                settings.groupInstanceId().orElse(""));
            return new FencedInstanceIdException(
                "Get fenced exception for group.instance.id "
                    + settings.groupInstanceId().orElse("")
                    + ", current member.id is "
                    + g.memberId());
          }
          case REBALANCE_IN_PROGRESS -> {
            group.requestRejoin("group is already rebalancing");
            return new CommitFailedException(
                "Offset commit cannot be completed since the consumer group is executing a"
                    + " rebalance at the moment. You can try completing the rebalance by calling"
                    + " poll() and then retry commit again");
          }
          case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
            group.resetGenerationIfUnchanged(
                g, "OffsetCommit failed with " + code, code == ErrorCode.UNKNOWN_MEMBER_ID);
            return new CommitFailedException();
          }
          default -> {
            return ErrorMapping.exception(code, p.getErrorMessage());
          }
        }
      }
    }
    return retriable;
  }

  /**
   * Commits synchronously, retrying retriable failures until {@code deadlineMs}.
   *
   * @throws TimeoutException when the deadline passed first
   */
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, long deadlineMs) {
    invokeCompletedOffsetCommitCallbacks();
    if (offsets.isEmpty()) {
      return;
    }
    // Each commit is its own call, which the broker may handle in any order: an asynchronous
    // commit still in flight could land after this one and move the offsets back. (Kafka gets
    // the order from its one connection, which handles one request at a time.)
    awaitAsyncCommits(deadlineMs);
    RuntimeException last = null;
    while (true) {
      if (!group.ensureCoordinatorReady(deadlineMs)) {
        break;
      }
      ConsumerCoordinator.CommitGeneration g = group.commitGeneration();
      Node node = group.coordinator();
      if (node == null) {
        continue;
      }
      OffsetCommitResponse r;
      try {
        r = group.await(sendOffsetCommit(node, offsets, g), deadlineMs);
      } catch (StatusRuntimeException e) {
        last = ErrorMapping.fromStatus(e, node.host() + ":" + node.port());
        group.markCoordinatorUnknown(last.getMessage());
        group.backoff(deadlineMs);
        continue;
      }
      if (r == null) {
        break;
      }
      RuntimeException e = commitOutcome(r, g);
      if (e == null) {
        LOG.debug("Committed offsets {}", offsets);
        return;
      }
      if (!(e instanceof RetriableException)) {
        throw e;
      }
      last = e;
      group.backoff(deadlineMs);
    }
    throw new TimeoutException(
        "Timeout expired before successfully committing offsets "
            + new TreeMap<>(byName(offsets))
            + (last == null ? "" : ": " + last.getMessage()));
  }

  private static Map<String, OffsetAndMetadata> byName(Map<TopicPartition, OffsetAndMetadata> m) {
    Map<String, OffsetAndMetadata> out = new HashMap<>();
    m.forEach((tp, o) -> out.put(tp.toString(), o));
    return out;
  }

  /** Commits without waiting; the callback runs in a later poll / commit of the polling thread. */
  public void commitAsync(
      Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    invokeCompletedOffsetCommitCallbacks();
    OffsetCommitCallback cb = callback != null ? callback : ConsumerOffsets::logCommitFailure;
    Map<TopicPartition, OffsetAndMetadata> copy = Map.copyOf(offsets);
    if (copy.isEmpty()) {
      completedCommitCallbacks.add(() -> cb.onComplete(copy, null));
      return;
    }
    Node node = group.coordinator();
    ConsumerCoordinator.CommitGeneration g;
    try {
      g = group.commitGeneration();
    } catch (RuntimeException e) {
      completedCommitCallbacks.add(() -> cb.onComplete(copy, e));
      return;
    }
    if (node == null) {
      RuntimeException e =
          new RetriableCommitFailedException(
              "Offset commit failed with a retriable exception. You should retry committing the"
                  + " latest consumed offsets.",
              new CoordinatorNotAvailableException("the group coordinator is not known yet"));
      completedCommitCallbacks.add(() -> cb.onComplete(copy, e));
      return;
    }
    inFlightAsyncCommits.incrementAndGet();
    sendOffsetCommit(node, copy, g)
        .whenComplete(
            (r, t) -> {
              RuntimeException e;
              if (t != null) {
                group.markCoordinatorUnknown(t.toString());
                e = ErrorMapping.fromStatus(t, node.host() + ":" + node.port());
              } else {
                e = commitOutcome(r, g);
              }
              if (e instanceof RetriableException) {
                e =
                    new RetriableCommitFailedException(
                        "Offset commit failed with a retriable exception. You should retry"
                            + " committing the latest consumed offsets.",
                        e);
              }
              RuntimeException result = e;
              completedCommitCallbacks.add(() -> cb.onComplete(copy, result));
              inFlightAsyncCommits.decrementAndGet();
            });
  }

  private static void logCommitFailure(Map<TopicPartition, OffsetAndMetadata> o, Exception e) {
    if (e != null) {
      LOG.error("Offset commit with offsets {} failed", o, e);
    }
  }

  /** Runs the callbacks of async commits that completed. Polling thread. */
  public void invokeCompletedOffsetCommitCallbacks() {
    Runnable r;
    while ((r = completedCommitCallbacks.poll()) != null) {
      r.run();
    }
  }

  void maybeAutoCommitOffsetsAsync(long now) {
    if (!settings.autoCommitEnabled() || now < nextAutoCommitMs) {
      return;
    }
    if (group.isAutoAssigned() && group.state() != ConsumerCoordinator.MemberState.STABLE) {
      return;
    }
    if (group.coordinatorUnknown()) {
      nextAutoCommitMs = now + settings.retryBackoffMs();
      return;
    }
    if (inFlightAsyncCommits.get() > 0) {
      return; // the next poll tries again: two commits in flight could land out of order
    }
    nextAutoCommitMs = now + settings.autoCommitIntervalMs();
    Map<TopicPartition, OffsetAndMetadata> offsets = allConsumed();
    if (offsets.isEmpty()) {
      return;
    }
    commitAsync(
        offsets,
        (o, e) -> {
          if (e == null) {
            LOG.debug("Completed asynchronous auto-commit of offsets {}", o);
          } else if (e instanceof RetriableCommitFailedException) {
            LOG.debug(
                "Asynchronous auto-commit of offsets {} failed due to retriable error: {}",
                o,
                e.getMessage());
            nextAutoCommitMs =
                Math.min(nextAutoCommitMs, time.hiResClockMs() + settings.retryBackoffMs());
          } else {
            LOG.warn("Asynchronous auto-commit of offsets {} failed: {}", o, e.getMessage());
          }
        });
  }

  /**
   * @return false only when the deadline passed before the commit completed (a failure is logged
   *     and counts as done, as Kafka's)
   */
  boolean maybeAutoCommitOffsetsSync(long deadlineMs) {
    if (!settings.autoCommitEnabled()) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = allConsumed();
    return offsets.isEmpty() || tryCommitSync(offsets, deadlineMs);
  }

  boolean tryCommitSync(Map<TopicPartition, OffsetAndMetadata> offsets, long deadlineMs) {
    try {
      commitSync(offsets, deadlineMs);
      return true;
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (TimeoutException e) {
      LOG.debug("Synchronous auto-commit of offsets {} timed out: {}", offsets, e.getMessage());
      return false;
    } catch (RuntimeException e) {
      LOG.warn("Synchronous auto-commit of offsets {} failed: {}", offsets, e.getMessage());
      return true;
    }
  }

  /** Waits (until the deadline) for asynchronous commits in flight, running their callbacks. */
  void awaitAsyncCommits(long deadlineMs) {
    while (inFlightAsyncCommits.get() > 0 && time.hiResClockMs() < deadlineMs) {
      if (!completedCommitCallbacks.isEmpty()) {
        invokeCompletedOffsetCommitCallbacks();
      } else {
        group.backoff(Math.min(deadlineMs, time.hiResClockMs() + 10));
      }
    }
    invokeCompletedOffsetCommitCallbacks();
  }
}
