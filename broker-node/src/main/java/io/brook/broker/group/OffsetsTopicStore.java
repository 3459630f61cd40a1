package io.brook.broker.group;

import io.brook.broker.replica.Partition;
import io.brook.broker.replica.ReplicaManager;
import io.brook.common.Header;
import io.brook.common.Time;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.PartitionProduceResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@link GroupStore} over the internal topic {@code __consumer_offsets} (Kafka's {@code
 * GroupMetadataManager} storage half): appends go to the local leader replica through the {@link
 * ReplicaManager} with {@code acks=all} semantics, records encoded by {@link GroupRecordCodec};
 * partitions this broker comes to lead are loaded by {@link GroupLoader} and handed to the {@link
 * GroupStore.Listener} (the coordinator).
 *
 * <p>Leadership: the replica manager tells this store ({@link ReplicaManager.LeadershipListener})
 * when this broker becomes leader of a partition of {@code __consumer_offsets} (then {@code
 * onElection}, the load, and {@code onLoaded} unless the partition was resigned or re-elected
 * meanwhile) and when it stops leading one (follower, StopReplica, deletion; and every led
 * partition at {@link #close()}: {@code onResignation}).
 *
 * <p>Invariants: every listener call is made on the single loader thread, in the order the
 * leadership changes happened, so per partition the listener sees onElection, then at most one
 * onLoaded for that epoch, then onResignation. {@link #ledEpochs} holds the partitions led (loading
 * or loaded) and their leader epoch.
 *
 * <p>Thread rules: {@link #append} and {@link #partitionFor} from any thread, never blocking; the
 * leadership callbacks from the replica manager's control thread (they only enqueue); loads on the
 * loader thread. Lifecycle: {@link #startup()} once, {@link #close()} idempotent.
 */
public final class OffsetsTopicStore
    implements GroupStore, ReplicaManager.LeadershipListener, AutoCloseable {
  private static final Logger log = LogManager.getLogger(OffsetsTopicStore.class);

  private static final Header[] NO_HEADERS = new Header[0];

  /** How long {@link #close()} waits for a load in progress to notice it was cancelled. */
  private static final long CLOSE_WAIT_MS = 10_000;

  private static final Listener NO_LISTENER =
      new Listener() {
        @Override
        public void onElection(int partition, int leaderEpoch) {}

        @Override
        public void onLoaded(int partition, int leaderEpoch, LoadedPartition loaded) {}

        @Override
        public void onResignation(int partition, int leaderEpoch) {}
      };

  private final int brokerId;
  private final ReplicaManager replicaManager;
  private final IntSupplier numPartitions;
  private final int loadBufferSize;
  private final int commitTimeoutMs;
  private final Time time;
  private final ExecutorService loader;
  private volatile Listener listener = NO_LISTENER;

  // @GuardedBy("this")
  private final Map<Integer, Integer> ledEpochs = new HashMap<>();

  // @GuardedBy("this")
  private boolean closed;

  /**
   * @param numPartitions the partition count of {@code __consumer_offsets}: the existing topic's
   *     when it exists, else offsets.topic.num.partitions
   * @param loadBufferSize offsets.load.buffer.size
   * @param commitTimeoutMs offsets.commit.timeout.ms: how long an append waits for replication
   */
  public OffsetsTopicStore(
      int brokerId,
      ReplicaManager replicaManager,
      IntSupplier numPartitions,
      int loadBufferSize,
      int commitTimeoutMs,
      Time time) {
    this.brokerId = brokerId;
    this.replicaManager = replicaManager;
    this.numPartitions = numPartitions;
    this.loadBufferSize = loadBufferSize;
    this.commitTimeoutMs = commitTimeoutMs;
    this.time = time;
    this.loader =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "broker-" + brokerId + "-group-metadata-loader");
              t.setDaemon(true);
              return t;
            });
  }

  /** Sets the coordinator told about loads and resignations; call before {@link #startup()}. */
  public void setListener(Listener listener) {
    this.listener = listener == null ? NO_LISTENER : listener;
  }

  /**
   * Registers with the replica manager and loads the partitions of {@code __consumer_offsets} this
   * broker leads already.
   */
  public void startup() {
    replicaManager.setLeadershipListener(this);
    for (Partition p : replicaManager.partitions()) {
      if (Topic.CONSUMER_OFFSETS.equals(p.topicPartition().topic()) && p.isLeader()) {
        onBecomeLeader(p.topicPartition(), p.leaderEpoch());
      }
    }
  }

  @Override
  public int partitionFor(String groupId) {
    return partitionFor(groupId, numPartitions.getAsInt());
  }

  /** Kafka's {@code Utils.abs(groupId.hashCode) % groupMetadataTopicPartitionCount}. */
  public static int partitionFor(String groupId, int numPartitions) {
    return (groupId.hashCode() & 0x7fffffff) % numPartitions;
  }

  /** The partitions of {@code __consumer_offsets} this broker leads (loading or loaded). */
  public synchronized Map<Integer, Integer> ledPartitions() {
    return Map.copyOf(ledEpochs);
  }

  // ------------------------------------------------------------------ append

  @Override
  public CompletableFuture<ErrorCode> append(String groupId, List<GroupRecord> records) {
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(ErrorCode.NONE);
    }
    TopicPartition tp = new TopicPartition(Topic.CONSUMER_OFFSETS, partitionFor(groupId));
    ByteBuffer batch;
    try {
      batch = encode(records, time.milliseconds());
    } catch (RuntimeException e) {
      log.error("Could not encode {} record(s) of group {}", records.size(), groupId, e);
      return CompletableFuture.completedFuture(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    return replicaManager
        .appendToInternalTopic(tp, batch, commitTimeoutMs)
        .handle(
            (r, e) -> {
              if (e != null) {
                log.error("Append of group {} to {} failed", groupId, tp, e);
                return ErrorCode.UNKNOWN_SERVER_ERROR;
              }
              return coordinatorError(groupId, tp, r);
            });
  }

  /** One uncompressed batch holding the records in order, all stamped {@code timestamp}. */
  static ByteBuffer encode(List<GroupRecord> records, long timestamp) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256);
    for (GroupRecord r : records) {
      b.append(timestamp, GroupRecordCodec.key(r), GroupRecordCodec.value(r), NO_HEADERS);
    }
    return b.build();
  }

  /**
   * The error the coordinator answers for an append's outcome (Kafka's mapping in {@code
   * GroupMetadataManager.storeOffsets}).
   */
  static ErrorCode coordinatorError(ErrorCode appendError) {
    return switch (appendError) {
      case NONE -> ErrorCode.NONE;
      case NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION -> ErrorCode.NOT_COORDINATOR;
      case NOT_ENOUGH_REPLICAS,
          NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          REQUEST_TIMED_OUT,
          KAFKA_STORAGE_ERROR ->
          ErrorCode.COORDINATOR_NOT_AVAILABLE;
      default -> ErrorCode.UNKNOWN_SERVER_ERROR;
    };
  }

  private static ErrorCode coordinatorError(
      String groupId, TopicPartition tp, PartitionProduceResponse r) {
    ErrorCode mapped = coordinatorError(r.getError());
    if (mapped == ErrorCode.UNKNOWN_SERVER_ERROR) {
      // Kafka answers INVALID_COMMIT_OFFSET_SIZE for RECORD_TOO_LARGE and the like.
      log.error(
          "Appending group {}'s records to {} failed with {}: {}",
          groupId,
          tp,
          r.getError(),
          r.getErrorMessage());
    } else if (mapped != ErrorCode.NONE) {
      log.debug(
          "Appending group {}'s records to {} failed with {} ({}): answering {}",
          groupId,
          tp,
          r.getError(),
          r.getErrorMessage(),
          mapped);
    }
    return mapped;
  }

  // ------------------------------------------------------------------ leadership

  @Override
  public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
    if (!Topic.CONSUMER_OFFSETS.equals(tp.topic())) {
      return;
    }
    int partition = tp.partition();
    synchronized (this) {
      if (closed) {
        return;
      }
      ledEpochs.put(partition, leaderEpoch);
    }
    submit(
        () -> {
          listener.onElection(partition, leaderEpoch);
          load(tp, leaderEpoch);
        });
  }

  @Override
  public void onResign(TopicPartition tp, int leaderEpoch) {
    if (!Topic.CONSUMER_OFFSETS.equals(tp.topic())) {
      return;
    }
    int partition = tp.partition();
    synchronized (this) {
      if (closed || ledEpochs.remove(partition) == null) {
        return;
      }
    }
    submit(() -> resign(partition, leaderEpoch));
  }

  private void resign(int partition, int leaderEpoch) {
    log.info(
        "Broker {} no longer coordinates the groups of {}-{} (leader epoch {})",
        brokerId,
        Topic.CONSUMER_OFFSETS,
        partition,
        leaderEpoch);
    listener.onResignation(partition, leaderEpoch);
  }

  private synchronized boolean isCurrent(int partition, int leaderEpoch) {
    Integer e = ledEpochs.get(partition);
    return !closed && e != null && e == leaderEpoch;
  }

  /** Runs on the loader thread. */
  private void load(TopicPartition tp, int leaderEpoch) {
    int partition = tp.partition();
    if (!isCurrent(partition, leaderEpoch)) {
      return; // resigned or re-elected before the load began
    }
    Optional<Partition> p = replicaManager.partition(tp);
    if (p.isEmpty()) {
      log.warn("{} is not on broker {} any more; not loading it", tp, brokerId);
      return;
    }
    long start = time.hiResClockMs();
    log.info(
        "Loading offsets and group metadata from {} (leader epoch {}, log [{}, {}))",
        tp,
        leaderEpoch,
        p.get().log().logStartOffset(),
        p.get().log().logEndOffset());
    Optional<LoadedPartition> loaded;
    try {
      loaded =
          GroupLoader.load(p.get().log(), loadBufferSize, () -> !isCurrent(partition, leaderEpoch));
    } catch (RuntimeException e) {
      // The partition stays "loading" for the coordinator: its groups answer
      // COORDINATOR_LOAD_IN_PROGRESS until leadership moves (as Kafka, which logs and gives up).
      log.error("Loading {} failed; its groups stay unavailable on broker {}", tp, brokerId, e);
      return;
    }
    if (loaded.isEmpty() || !isCurrent(partition, leaderEpoch)) {
      log.info("Loading {} (leader epoch {}) cancelled: no longer its leader", tp, leaderEpoch);
      return;
    }
    int offsets = loaded.get().offsets().values().stream().mapToInt(Map::size).sum();
    log.info(
        "Finished loading offsets and group metadata from {} in {} milliseconds for epoch {}:"
            + " {} groups, {} committed offsets",
        tp,
        time.hiResClockMs() - start,
        leaderEpoch,
        loaded.get().groups().size(),
        offsets);
    listener.onLoaded(partition, leaderEpoch, loaded.get());
  }

  private void submit(Runnable task) {
    try {
      loader.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("Group metadata task failed on broker {}", brokerId, e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("Broker {}: group metadata loader closed; task dropped", brokerId);
    }
  }

  /**
   * Resigns every partition led here (the coordinator drops their groups and answers waiting
   * members NOT_COORDINATOR), stops loads in progress and the loader thread. Idempotent.
   */
  @Override
  public void close() {
    List<Map.Entry<Integer, Integer>> led;
    synchronized (this) {
      if (closed) {
        return;
      }
      led = new ArrayList<>(ledEpochs.entrySet());
      ledEpochs.clear();
      closed = true;
    }
    replicaManager.setLeadershipListener(null);
    for (Map.Entry<Integer, Integer> e : led) {
      submit(() -> resign(e.getKey(), e.getValue()));
    }
    loader.shutdown();
    try {
      if (!loader.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
        log.warn("Broker {}: the group metadata loader did not stop in time", brokerId);
        loader.shutdownNow();
      }
    } catch (InterruptedException ie) {
      loader.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
