package io.brook.client.consumer;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.ConfigException;
import io.brook.client.common.errors.CorruptRecordException;
import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.InvalidGroupIdException;
import io.brook.client.common.errors.NoOffsetForPartitionException;
import io.brook.client.common.errors.OffsetOutOfRangeException;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.header.Headers;
import io.brook.client.common.serialization.Deserializer;
import io.brook.client.consumer.internals.Assignors;
import io.brook.client.consumer.internals.ConsumerCoordinator;
import io.brook.client.consumer.internals.Fetcher;
import io.brook.client.internals.Bootstrap;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ChannelFactory;
import io.brook.client.internals.ErrorMapping;
import io.brook.client.internals.Metadata;
import io.brook.common.Header;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.Errors;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ListOffsetsPartition;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListOffsetsTopic;
import io.brook.protocol.v1.ListOffsetsTopicResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The Brook consumer, with the behaviour of Kafka's: {@link #poll} drains records that the {@link
 * Fetcher} fetched in the background, parsing and deserializing them on the polling thread. With
 * {@code group.id}, the {@link ConsumerCoordinator} runs the group membership ({@link #subscribe})
 * and the offsets ({@link #commitSync}, {@link #committed}, auto-commit); a partition's position
 * starts at the group's committed offset, else at {@code auto.offset.reset}, unless set by seek.
 *
 * <p>Invariants: the consumer is either unsubscribed, subscribed (topics or a pattern: partitions
 * come from the group) or manually assigned, never two at once; poll() returns records only of
 * partitions assigned at the time it returns, and only after the listener was told of them.
 *
 * <p>Position: the offset from which poll() returns a partition's next record. After the last
 * record of a batch the position is the batch's next offset (its last offset + 1), not the record's
 * offset + 1: a compacted batch can end past its last record or hold none, and moving on by the
 * batch keeps position(), commits and the end offset in agreement.
 *
 * <p>Not thread-safe: one thread uses a consumer, except {@link #wakeup()}. The coordinator's
 * heartbeat thread runs in the background and never calls back into application code.
 */
public class BrookConsumer<K, V> implements Consumer<K, V> {
  private static final Logger LOG = LogManager.getLogger(BrookConsumer.class);
  private static final AtomicInteger CLIENT_SEQ = new AtomicInteger(1);
  static final long EARLIEST = -2L;
  static final long LATEST = -1L;

  private final ConsumerConfig config;
  private final Time time;
  private final Deserializer<K> keyDeserializer;
  private final Deserializer<V> valueDeserializer;
  private final BrokerChannels channels;
  private final Metadata metadata;
  private final List<Node> bootstrap;
  private final Fetcher fetcher;
  private final int maxPollRecords;
  private final boolean checkCrcs;
  private final String autoOffsetReset;
  private final long defaultApiTimeoutMs;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;
  private final String clientId;

  /** Null without group.id. */
  private final ConsumerCoordinator coordinator;

  private boolean userAssigned;

  /** The fetch being drained by poll(), with its position inside. Polling thread only. */
  private Fetcher.CompletedFetch current;

  private Iterator<RecordBatch> currentBatches;
  private Iterator<Record> currentRecords;
  private RecordBatch currentBatch;
  private RuntimeException pendingError;
  private boolean closed;
  private boolean closing;

  public BrookConsumer(Properties props) {
    this(toMap(props), null, null);
  }

  public BrookConsumer(Properties props, Deserializer<K> keyDes, Deserializer<V> valueDes) {
    this(toMap(props), keyDes, valueDes);
  }

  public BrookConsumer(Map<String, Object> configs) {
    this(configs, null, null);
  }

  public BrookConsumer(
      Map<String, Object> configs, Deserializer<K> keyDes, Deserializer<V> valueDes) {
    this(withDeserializers(configs, keyDes, valueDes), keyDes, valueDes, null, Time.SYSTEM);
  }

  /** The full constructor, for tests and tools: channel factory (null: netty) and clock. */
  @SuppressWarnings("unchecked")
  public BrookConsumer(
      ConsumerConfig config,
      Deserializer<K> keyDes,
      Deserializer<V> valueDes,
      ChannelFactory factory,
      Time time) {
    this.config = config;
    this.time = time;
    String id = config.getString(ConsumerConfig.CLIENT_ID_CONFIG);
    this.clientId = id.isEmpty() ? "consumer-" + CLIENT_SEQ.getAndIncrement() : id;
    Map<String, Object> originals = config.originals();
    if (keyDes == null) {
      keyDes =
          AbstractConfig.newInstance(
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
              config.getClass(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG),
              Deserializer.class);
      keyDes.configure(originals, true);
    }
    if (valueDes == null) {
      valueDes =
          AbstractConfig.newInstance(
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
              config.getClass(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG),
              Deserializer.class);
      valueDes.configure(originals, false);
    }
    this.keyDeserializer = keyDes;
    this.valueDeserializer = valueDes;
    int fetchMaxBytes = config.getInt(ConsumerConfig.FETCH_MAX_BYTES_CONFIG);
    int partitionMax = config.getInt(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG);
    int maxInbound = Math.max(16 << 20, Math.max(fetchMaxBytes, partitionMax) + (1 << 20));
    this.channels =
        new BrokerChannels(factory != null ? factory : ChannelFactory.netty(maxInbound));
    this.requestTimeoutMs = config.getInt(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG);
    this.retryBackoffMs = config.getLong(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG);
    this.bootstrap = Bootstrap.parse(config.getList(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.metadata =
        new Metadata(
            channels,
            bootstrap,
            retryBackoffMs,
            config.getLong(ConsumerConfig.METADATA_MAX_AGE_CONFIG),
            requestTimeoutMs,
            time);
    this.fetcher =
        new Fetcher(
            channels,
            metadata,
            config.getInt(ConsumerConfig.FETCH_MIN_BYTES_CONFIG),
            fetchMaxBytes,
            config.getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
            partitionMax,
            requestTimeoutMs,
            retryBackoffMs,
            "read_committed".equals(config.getString(ConsumerConfig.ISOLATION_LEVEL_CONFIG)),
            time);
    // A metadata update may reveal a leader: send the fetches that were waiting for it.
    metadata.setUpdateListener(fetcher::sendFetches);
    this.maxPollRecords = config.getInt(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
    this.checkCrcs = config.getBoolean(ConsumerConfig.CHECK_CRCS_CONFIG);
    this.autoOffsetReset = config.getString(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
    this.defaultApiTimeoutMs = config.getInt(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    this.coordinator = buildCoordinator(config);
    channels.prepare(bootstrap);
  }

  private ConsumerCoordinator buildCoordinator(ConsumerConfig config) {
    String groupId = config.getString(ConsumerConfig.GROUP_ID_CONFIG);
    String instanceId = config.getString(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    if (groupId == null) {
      if (instanceId != null) {
        throw new InvalidGroupIdException(
            "To use the group management or offset commit APIs, you must provide a valid"
                + " group.id in the consumer configuration.");
      }
      return null;
    }
    if (groupId.isEmpty()) {
      throw new InvalidGroupIdException("The configured groupId is invalid");
    }
    int session = config.getInt(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    int heartbeatMs = config.getInt(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    if (heartbeatMs >= session) {
      throw new ConfigException(
          "heartbeat.interval.ms ("
              + heartbeatMs
              + ") must be set lower than session.timeout.ms ("
              + session
              + ")");
    }
    long reset = defaultReset();
    ConsumerCoordinator.Settings settings =
        new ConsumerCoordinator.Settings(
            groupId,
            instanceId == null || instanceId.isEmpty() ? Optional.empty() : Optional.of(instanceId),
            clientId,
            config.getString(ConsumerConfig.CLIENT_RACK_CONFIG),
            session,
            heartbeatMs,
            config.getInt(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
            requestTimeoutMs,
            retryBackoffMs,
            config.getBoolean(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG),
            config.getInt(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG),
            config.getBoolean(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG),
            reset == Long.MIN_VALUE ? null : reset);
    return new ConsumerCoordinator(
        settings,
        Assignors.load(config.getList(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)),
        channels,
        metadata,
        fetcher,
        time);
  }

  private ConsumerCoordinator requireGroup() {
    if (coordinator == null) {
      throw new InvalidGroupIdException(
          "To use the group management or offset commit APIs, you must provide a valid group.id in"
              + " the consumer configuration.");
    }
    return coordinator;
  }

  private static Map<String, Object> toMap(Properties props) {
    Map<String, Object> m = new HashMap<>();
    props.forEach((k, v) -> m.put(String.valueOf(k), v));
    return m;
  }

  private static ConsumerConfig withDeserializers(
      Map<String, Object> configs, Deserializer<?> k, Deserializer<?> v) {
    Map<String, Object> m = new HashMap<>(configs);
    if (k != null) {
      m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, k.getClass());
    }
    if (v != null) {
      m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, v.getClass());
    }
    return new ConsumerConfig(m);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("This consumer has already been closed.");
    }
  }

  private long defaultReset() {
    return switch (autoOffsetReset) {
      case "earliest" -> EARLIEST;
      case "latest" -> LATEST;
      default -> Long.MIN_VALUE; // none
    };
  }

  // ------------------------------------------------------------------ assignment

  @Override
  public void assign(Collection<TopicPartition> partitions) {
    ensureOpen();
    if (partitions == null) {
      throw new IllegalArgumentException("Topic partition collection to assign to cannot be null");
    }
    if (coordinator != null && coordinator.isAutoAssigned()) {
      throw new IllegalStateException(
          "Subscription to topics, partitions and pattern are mutually exclusive");
    }
    if (partitions.isEmpty()) {
      unsubscribe();
      return;
    }
    Set<TopicPartition> set = new HashSet<>();
    Set<String> topics = new HashSet<>();
    for (TopicPartition tp : partitions) {
      if (tp == null || tp.topic().isBlank()) {
        throw new IllegalArgumentException(
            "Topic partitions to assign to cannot have null or empty topic");
      }
      set.add(tp);
      topics.add(tp.topic());
    }
    long reset = defaultReset();
    // with a group, a new partition starts at its committed offset (looked up at the next poll)
    fetcher.assign(set, reset == Long.MIN_VALUE || coordinator != null ? null : reset);
    userAssigned = true;
    if (current != null && !set.contains(current.tp())) {
      dropCurrent();
    }
    metadata.setTopics(topics);
  }

  @Override
  public Set<TopicPartition> assignment() {
    ensureOpen();
    return fetcher.assignment();
  }

  @Override
  public void subscribe(Collection<String> topics) {
    subscribe(topics, null);
  }

  @Override
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    ensureOpen();
    if (topics == null) {
      throw new IllegalArgumentException("Topic collection to subscribe to cannot be null");
    }
    if (topics.isEmpty()) {
      unsubscribe();
      return;
    }
    for (String t : topics) {
      if (t == null || t.isBlank()) {
        throw new IllegalArgumentException(
            "Topic collection to subscribe to cannot contain null or empty topic");
      }
    }
    ConsumerCoordinator c = beforeSubscribe();
    c.subscribe(new HashSet<>(topics), listener);
  }

  @Override
  public void subscribe(Pattern pattern) {
    subscribe(pattern, null);
  }

  @Override
  public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
    ensureOpen();
    if (pattern == null || pattern.toString().isEmpty()) {
      throw new IllegalArgumentException(
          "Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
    }
    ConsumerCoordinator c = beforeSubscribe();
    c.subscribe(pattern, listener);
  }

  private ConsumerCoordinator beforeSubscribe() {
    ConsumerCoordinator c = requireGroup();
    if (userAssigned) {
      throw new IllegalStateException(
          "Subscription to topics, partitions and pattern are mutually exclusive");
    }
    return c;
  }

  @Override
  public Set<String> subscription() {
    ensureOpen();
    return coordinator == null ? Set.of() : Set.copyOf(coordinator.subscription());
  }

  @Override
  public void commitSync() {
    commitSync(Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public void commitSync(Duration timeout) {
    ensureOpen();
    commitSync(requireGroup().offsets().allConsumed(), timeout);
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    commitSync(offsets, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    ensureOpen();
    requireGroup()
        .offsets()
        .commitSync(Map.copyOf(offsets), time.hiResClockMs() + timeout.toMillis());
  }

  @Override
  public void commitAsync() {
    commitAsync(null);
  }

  @Override
  public void commitAsync(OffsetCommitCallback callback) {
    ensureOpen();
    commitAsync(requireGroup().offsets().allConsumed(), callback);
  }

  @Override
  public void commitAsync(
      Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    ensureOpen();
    requireGroup().offsets().commitAsync(Map.copyOf(offsets), callback);
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    return committed(partitions, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(
      Set<TopicPartition> partitions, Duration timeout) {
    ensureOpen();
    Map<TopicPartition, OffsetAndMetadata> found =
        requireGroup()
            .offsets()
            .fetchCommittedOffsets(
                Set.copyOf(partitions), time.hiResClockMs() + timeout.toMillis());
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, found.get(tp));
    }
    return out;
  }

  @Override
  public ConsumerGroupMetadata groupMetadata() {
    ensureOpen();
    return requireGroup().groupMetadata();
  }

  @Override
  public void enforceRebalance() {
    enforceRebalance(null);
  }

  @Override
  public void enforceRebalance(String reason) {
    ensureOpen();
    if (coordinator == null) {
      throw new IllegalStateException(
          "Tried to force a rebalance but consumer does not have a group.");
    }
    coordinator.enforceRebalance(reason);
  }

  @Override
  public void unsubscribe() {
    ensureOpen();
    if (coordinator != null) {
      coordinator.unsubscribe(time.hiResClockMs() + defaultApiTimeoutMs);
    }
    userAssigned = false;
    fetcher.assign(Set.of(), null);
    dropCurrent();
    metadata.setTopics(Set.of());
  }

  // ------------------------------------------------------------------ positions

  @Override
  public void seek(TopicPartition partition, long offset) {
    ensureOpen();
    if (offset < 0) {
      throw new IllegalArgumentException("seek offset must not be a negative number");
    }
    fetcher.seek(partition, offset);
    if (current != null && current.tp().equals(partition)) {
      dropCurrent();
    }
  }

  @Override
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    requestReset(partitions, EARLIEST);
  }

  @Override
  public void seekToEnd(Collection<TopicPartition> partitions) {
    requestReset(partitions, LATEST);
  }

  private void requestReset(Collection<TopicPartition> partitions, long to) {
    ensureOpen();
    Collection<TopicPartition> parts = partitions.isEmpty() ? fetcher.assignment() : partitions;
    for (TopicPartition tp : parts) {
      fetcher.requestReset(tp, to);
      if (current != null && current.tp().equals(tp)) {
        dropCurrent();
      }
    }
  }

  @Override
  public long position(TopicPartition partition) {
    return position(partition, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public long position(TopicPartition partition, Duration timeout) {
    ensureOpen();
    Fetcher.PartitionState s = fetcher.state(partition);
    if (s.position < 0) {
      if (coordinator != null) {
        coordinator
            .offsets()
            .refreshCommittedOffsetsIfNeeded(time.hiResClockMs() + timeout.toMillis());
      }
      resetPositions(timeout.toMillis());
    }
    long p = fetcher.state(partition).position;
    if (p < 0) {
      throw new TimeoutException(
          "Timeout of "
              + timeout.toMillis()
              + "ms expired before the position for partition "
              + partition
              + " could be determined");
    }
    return p;
  }

  /** Looks up the offsets of partitions waiting for a reset (blocking, bounded). */
  private void resetPositions(long timeoutMs) {
    Map<TopicPartition, Long> pending = fetcher.pendingResets();
    Set<TopicPartition> noPolicy = new HashSet<>();
    for (TopicPartition tp : fetcher.assignment()) {
      Fetcher.PartitionState s = fetcher.state(tp);
      if (s.position < 0 && s.resetTo == null) {
        noPolicy.add(tp);
      }
    }
    if (!noPolicy.isEmpty()) {
      throw new NoOffsetForPartitionException(
          "Undefined offset with no reset policy for partitions: "
              + new TreeMap<>(toMap(noPolicy)).keySet());
    }
    if (pending.isEmpty()) {
      return;
    }
    Map<TopicPartition, long[]> offsets = listOffsets(pending, timeoutMs);
    for (Map.Entry<TopicPartition, long[]> e : offsets.entrySet()) {
      fetcher.completeReset(e.getKey(), pending.get(e.getKey()), e.getValue()[0]);
    }
  }

  private static Map<TopicPartition, Boolean> toMap(Set<TopicPartition> s) {
    Map<TopicPartition, Boolean> m = new HashMap<>();
    s.forEach(tp -> m.put(tp, true));
    return m;
  }

  // ------------------------------------------------------------------ poll

  @Override
  public ConsumerRecords<K, V> poll(Duration timeout) {
    ensureOpen();
    boolean subscribed = coordinator != null && coordinator.isAutoAssigned();
    if (!subscribed && fetcher.assignment().isEmpty()) {
      throw new IllegalStateException(
          "Consumer is not subscribed to any topics or assigned any partitions");
    }
    if (pendingError != null) {
      RuntimeException e = pendingError;
      pendingError = null;
      throw e;
    }
    long deadline = time.hiResClockMs() + timeout.toMillis();
    fetcher.polling(true);
    try {
      while (true) {
        if (fetcher.consumeWakeup()) {
          throw new WakeupException();
        }
        metadata.maybeUpdate();
        if (coordinator != null && !updateAssignmentMetadata(deadline)) {
          return ConsumerRecords.empty();
        }
        long left = Math.max(0, deadline - time.hiResClockMs());
        if (!fetcher.pendingResets().isEmpty() || hasNoPolicyPartitions()) {
          try {
            resetPositions(Math.max(left, 1));
          } catch (TimeoutException e) {
            if (time.hiResClockMs() >= deadline) {
              return ConsumerRecords.empty();
            }
          }
        }
        Map<TopicPartition, List<ConsumerRecord<K, V>>> records = collect();
        // Pipelining: refill before handing records to the application.
        fetcher.sendFetches();
        if (!records.isEmpty()) {
          return new ConsumerRecords<>(records);
        }
        left = deadline - time.hiResClockMs();
        if (left <= 0) {
          return ConsumerRecords.empty();
        }
        fetcher.awaitData(Math.min(left, Math.max(1, retryBackoffMs)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("poll interrupted", e);
    } finally {
      fetcher.polling(false);
    }
  }

  /**
   * The group's part of a poll: join or rebalance (a cooperative member that owns partitions keeps
   * fetching meanwhile), then committed offsets of new partitions.
   *
   * @return false when the deadline passed before there is anything to fetch
   */
  private boolean updateAssignmentMetadata(long deadline) {
    boolean keepFetching = coordinator.fetchesDuringRebalance();
    boolean ready = coordinator.poll(keepFetching ? time.hiResClockMs() : deadline);
    if (current != null && !fetcher.assignment().contains(current.tp())) {
      dropCurrent(); // revoked by a rebalance
    }
    if (!ready && !keepFetching) {
      return false;
    }
    return coordinator.offsets().refreshCommittedOffsetsIfNeeded(deadline)
        || time.hiResClockMs() < deadline;
  }

  private boolean hasNoPolicyPartitions() {
    for (TopicPartition tp : fetcher.assignment()) {
      Fetcher.PartitionState s = fetcher.state(tp);
      if (s.position < 0 && s.resetTo == null) {
        return true;
      }
    }
    return false;
  }

  private void dropCurrent() {
    current = null;
    currentBatches = null;
    currentRecords = null;
    currentBatch = null;
  }

  /** Up to max.poll.records records from the buffered fetches, in order per partition. */
  private Map<TopicPartition, List<ConsumerRecord<K, V>>> collect() {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    int count = 0;
    while (count < maxPollRecords) {
      if (current == null) {
        Fetcher.CompletedFetch next = fetcher.nextCompleted();
        if (next == null) {
          break;
        }
        if (next.error() != null) {
          RuntimeException e = handleFetchError(next);
          if (e != null) {
            if (out.isEmpty()) {
              throw e;
            }
            pendingError = e;
            break;
          }
          continue;
        }
        current = next;
        currentBatches = RecordBatches.of(next.records()).iterator();
        currentRecords = null;
      }
      TopicPartition tp = current.tp();
      Fetcher.PartitionState state = fetcher.state(tp);
      if (!fetcher.isCurrent(current)) {
        dropCurrent();
        continue;
      }
      long position = state.position;
      List<ConsumerRecord<K, V>> list = out.get(tp);
      try {
        while (count < maxPollRecords) {
          if (currentRecords == null || !currentRecords.hasNext()) {
            if (currentRecords != null) {
              // The batch is used up: move to its next offset, not to its last record + 1. A
              // compacted batch can end past its last record (a producer batch keeps its last
              // offset) or hold none, and the next batch starts after it, as in Kafka's fetcher.
              position = Math.max(position, currentBatch.nextOffset());
              currentRecords = null;
            }
            if (!currentBatches.hasNext()) {
              dropCurrent();
              break;
            }
            currentBatch = currentBatches.next();
            if (currentBatch.lastOffset() < position) {
              currentRecords = null;
              continue;
            }
            if (checkCrcs) {
              currentBatch.ensureValid();
            }
            if (currentBatch.isControlBatch()) {
              position = currentBatch.nextOffset();
              currentRecords = null;
              continue;
            }
            currentRecords = currentBatch.iterator();
            continue;
          }
          Record r = currentRecords.next();
          if (r.offset() < position) {
            continue; // before the requested offset, inside the first batch
          }
          if (list == null) {
            list = new ArrayList<>();
            out.put(tp, list);
          }
          list.add(toConsumerRecord(tp, r, currentBatch));
          position = r.offset() + 1;
          count++;
          if (!currentRecords.hasNext()) {
            // the batch's last record was returned: the position (what commits store) is the
            // batch's next offset right away, so position() agrees with what poll() returned
            position = Math.max(position, currentBatch.nextOffset());
            currentRecords = null;
          }
        }
      } catch (io.brook.protocol.record.CorruptRecordException e) {
        long at = currentBatch != null ? currentBatch.baseOffset() : position;
        dropCurrent();
        fetcher.updatePosition(tp, state.epoch(), position);
        fetcher.refetchFromPosition(tp);
        CorruptRecordException ce =
            new CorruptRecordException(
                "Record batch for partition "
                    + tp
                    + " at offset "
                    + at
                    + " is invalid, cause: "
                    + e.getMessage()
                    + ". If needed, please seek past the record to continue consumption.",
                e);
        if (out.isEmpty()) {
          throw ce;
        }
        pendingError = ce;
        return out;
      }
      fetcher.updatePosition(tp, state.epoch(), position);
    }
    return out;
  }

  private RuntimeException handleFetchError(Fetcher.CompletedFetch f) {
    if (f.error() instanceof OffsetOutOfRangeException e) {
      long reset = defaultReset();
      if (reset == Long.MIN_VALUE) {
        return e;
      }
      LOG.info(
          "Resetting offset for partition {} to {} after OFFSET_OUT_OF_RANGE at {}",
          f.tp(),
          autoOffsetReset,
          f.fetchOffset());
      fetcher.requestReset(f.tp(), reset);
      return null;
    }
    return f.error();
  }

  private ConsumerRecord<K, V> toConsumerRecord(TopicPartition tp, Record r, RecordBatch batch) {
    Header[] hs = r.headers();
    Headers headers = hs.length == 0 ? new Headers() : new Headers(hs);
    ByteBuffer kb = r.key();
    ByteBuffer vb = r.value();
    K key = keyDeserializer.deserialize(tp.topic(), headers, kb);
    V value = valueDeserializer.deserialize(tp.topic(), headers, vb);
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        r.offset(),
        r.timestamp(),
        batch.timestampType(),
        r.keySize(),
        r.valueSize(),
        key,
        value,
        headers,
        batch.partitionLeaderEpoch());
  }

  // ------------------------------------------------------------------ offsets lookups

  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps) {
    return offsetsForTimes(timestamps, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps, Duration timeout) {
    ensureOpen();
    for (Map.Entry<TopicPartition, Long> e : timestamps.entrySet()) {
      if (e.getValue() < 0) {
        throw new IllegalArgumentException(
            "The target time for partition "
                + e.getKey()
                + " is "
                + e.getValue()
                + ". The target time cannot be negative.");
      }
    }
    Map<TopicPartition, long[]> found = listOffsets(timestamps, timeout.toMillis());
    Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
    for (TopicPartition tp : timestamps.keySet()) {
      long[] r = found.get(tp);
      out.put(
          tp,
          r == null || r[0] < 0
              ? null
              : new OffsetAndTimestamp(
                  r[0], r[1], r[2] >= 0 ? Optional.of((int) r[2]) : Optional.empty()));
    }
    return out;
  }

  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    return beginningOffsets(partitions, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public Map<TopicPartition, Long> beginningOffsets(
      Collection<TopicPartition> partitions, Duration timeout) {
    return offsets(partitions, EARLIEST, timeout);
  }

  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return endOffsets(partitions, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public Map<TopicPartition, Long> endOffsets(
      Collection<TopicPartition> partitions, Duration timeout) {
    return offsets(partitions, LATEST, timeout);
  }

  private Map<TopicPartition, Long> offsets(
      Collection<TopicPartition> partitions, long which, Duration timeout) {
    ensureOpen();
    Map<TopicPartition, Long> req = new HashMap<>();
    partitions.forEach(tp -> req.put(tp, which));
    Map<TopicPartition, Long> out = new HashMap<>();
    listOffsets(req, timeout.toMillis()).forEach((tp, r) -> out.put(tp, r[0]));
    return out;
  }

  /**
   * ListOffsets for each partition's timestamp (-2 earliest, -1 latest, or a time), sent to the
   * leaders, retrying retriable errors with a metadata refresh until {@code timeoutMs}.
   *
   * @return per partition {offset, timestamp, leaderEpoch}
   */
  private Map<TopicPartition, long[]> listOffsets(Map<TopicPartition, Long> query, long timeoutMs) {
    long deadline = time.hiResClockMs() + timeoutMs;
    Map<TopicPartition, long[]> result = new HashMap<>();
    Map<TopicPartition, Long> remaining = new HashMap<>(query);
    for (TopicPartition tp : query.keySet()) {
      metadata.add(tp.topic());
    }
    BrookException last = null;
    while (!remaining.isEmpty()) {
      long left = deadline - time.hiResClockMs();
      if (left <= 0) {
        throw new TimeoutException(
            "Failed to get offsets by times in "
                + timeoutMs
                + "ms"
                + (last == null ? "" : ": " + last.getMessage()));
      }
      Cluster cluster = metadata.fetch();
      Map<Node, Map<TopicPartition, Long>> byLeader = new HashMap<>();
      boolean missing = false;
      for (Map.Entry<TopicPartition, Long> e : remaining.entrySet()) {
        Node leader = cluster.leaderFor(e.getKey());
        if (leader == null) {
          missing = true;
          continue;
        }
        byLeader.computeIfAbsent(leader, n -> new HashMap<>()).put(e.getKey(), e.getValue());
      }
      boolean retry = missing;
      boolean refresh = missing;
      for (Map.Entry<Node, Map<TopicPartition, Long>> e : byLeader.entrySet()) {
        Node node = e.getKey();
        Map<String, ListOffsetsTopic.Builder> topics = new LinkedHashMap<>();
        e.getValue()
            .forEach(
                (tp, ts) ->
                    topics
                        .computeIfAbsent(tp.topic(), t -> ListOffsetsTopic.newBuilder().setTopic(t))
                        .addPartitions(
                            ListOffsetsPartition.newBuilder()
                                .setPartition(tp.partition())
                                .setTimestamp(ts)
                                .setCurrentLeaderEpoch(cluster.leaderEpochFor(tp))));
        ListOffsetsRequest.Builder req = ListOffsetsRequest.newBuilder().setReplicaId(-1);
        topics.values().forEach(req::addTopics);
        try {
          ListOffsetsResponse resp =
              channels
                  .blockingStub(node)
                  .withDeadlineAfter(Math.min(left, requestTimeoutMs), TimeUnit.MILLISECONDS)
                  .listOffsets(req.build());
          for (ListOffsetsTopicResponse t : resp.getTopicsList()) {
            for (ListOffsetsPartitionResponse p : t.getPartitionsList()) {
              TopicPartition tp = new TopicPartition(t.getTopic(), p.getPartition());
              if (!remaining.containsKey(tp)) {
                continue;
              }
              if (p.getError() == ErrorCode.NONE) {
                result.put(tp, new long[] {p.getOffset(), p.getTimestamp(), p.getLeaderEpoch()});
                remaining.remove(tp);
              } else {
                BrookException ex = ErrorMapping.exception(p.getError(), p.getErrorMessage());
                if (!(ex instanceof RetriableException)) {
                  throw ex;
                }
                last = ex;
                retry = true;
                // NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...: the leader moved; whereas
                // OFFSET_NOT_AVAILABLE only needs the same leader to catch up its HW.
                refresh |= Errors.invalidatesMetadata(p.getError());
              }
            }
          }
        } catch (StatusRuntimeException ex) {
          last = ErrorMapping.fromStatus(ex, node.host() + ":" + node.port());
          retry = true;
          refresh = true;
        }
      }
      if (!remaining.isEmpty() && retry) {
        if (refresh) {
          int v = metadata.requestUpdate();
          metadata.awaitUpdate(
              v, Math.max(1, Math.min(deadline - time.hiResClockMs(), retryBackoffMs * 10)));
        }
        sleepQuietly(Math.min(retryBackoffMs, Math.max(0, deadline - time.hiResClockMs())));
      }
    }
    return result;
  }

  private void sleepQuietly(long ms) {
    try {
      time.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("interrupted", e);
    }
  }

  // ------------------------------------------------------------------ topic metadata

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return partitionsFor(topic, Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
    ensureOpen();
    Cluster c = fetchMetadata(List.of(topic), timeout.toMillis());
    return c.partitionsForTopic(topic);
  }

  @Override
  public Map<String, List<PartitionInfo>> listTopics() {
    return listTopics(Duration.ofMillis(defaultApiTimeoutMs));
  }

  @Override
  public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
    ensureOpen();
    Cluster c = fetchMetadata(null, timeout.toMillis());
    boolean excludeInternal = config.getBoolean(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG);
    Map<String, List<PartitionInfo>> out = new HashMap<>();
    for (String t : c.topics()) {
      if (excludeInternal && c.internalTopics().contains(t)) {
        continue;
      }
      out.put(t, c.partitionsForTopic(t));
    }
    return out;
  }

  /** A one-off Metadata call (null topics: all) to any broker, retried until the timeout. */
  private Cluster fetchMetadata(List<String> topics, long timeoutMs) {
    long deadline = time.hiResClockMs() + timeoutMs;
    MetadataRequest.Builder req = MetadataRequest.newBuilder();
    if (topics == null) {
      req.setAllTopics(true);
    } else {
      req.addAllTopics(topics)
          .setAllowAutoTopicCreation(
              config.getBoolean(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG));
    }
    List<Node> candidates = new ArrayList<>(metadata.fetch().nodes());
    candidates.addAll(bootstrap);
    int i = 0;
    BrookException last = null;
    while (true) {
      long left = deadline - time.hiResClockMs();
      if (left <= 0) {
        throw new TimeoutException(
            "Timeout expired while fetching topic metadata"
                + (last == null ? "" : ": " + last.getMessage()));
      }
      Node node = candidates.get(i++ % candidates.size());
      try {
        MetadataResponse r =
            channels
                .blockingStub(node)
                .withDeadlineAfter(Math.min(left, requestTimeoutMs), TimeUnit.MILLISECONDS)
                .metadata(req.build());
        Metadata scratch =
            new Metadata(channels, bootstrap, 0, Long.MAX_VALUE, requestTimeoutMs, time);
        scratch.update(r, Set.copyOf(topics == null ? List.of() : topics), time.hiResClockMs());
        return scratch.fetch();
      } catch (StatusRuntimeException e) {
        last = ErrorMapping.fromStatus(e, node.host() + ":" + node.port());
        sleepQuietly(Math.min(retryBackoffMs, Math.max(0, deadline - time.hiResClockMs())));
      }
    }
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void wakeup() {
    fetcher.wakeup();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  @Override
  public void close(Duration timeout) {
    if (closed || closing) {
      return;
    }
    // the group is left (and onPartitionsRevoked runs) while the consumer is still open: the
    // listener may read positions and commit, as in Kafka
    closing = true;
    if (coordinator != null) {
      try {
        coordinator.close(time.hiResClockMs() + Math.min(timeout.toMillis(), requestTimeoutMs));
      } catch (RuntimeException e) {
        LOG.warn("Failed to close the coordinator of consumer {}: {}", clientId, e.toString());
      }
    }
    closed = true;
    fetcher.close();
    channels.close(Math.min(timeout.toMillis(), 5000));
    try {
      keyDeserializer.close();
      valueDeserializer.close();
    } catch (RuntimeException e) {
      LOG.warn("Failed to close a deserializer", e);
    }
    LOG.debug("Brook consumer {} closed", clientId);
  }
}
