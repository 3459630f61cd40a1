package io.brook.broker.log;

import io.brook.broker.log.internals.BatchHeader;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile.EpochEntry;
import io.brook.broker.log.internals.LeaderEpochFileCache;
import io.brook.broker.log.internals.LogFileNames;
import io.brook.broker.log.internals.LogLoader;
import io.brook.broker.log.internals.LogSegment;
import io.brook.broker.log.internals.LogSegments;
import io.brook.broker.log.internals.ProducerStateEntry;
import io.brook.broker.log.internals.ProducerStateManager;
import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.TimestampType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The log of one partition: a directory {@code <topic>-<partition>} of segments (see {@link
 * LogSegment}, whose javadoc points at each file format), with its log start offset, log end
 * offset, high watermark and recovery point.
 *
 * <p>Invariants: logStartOffset &lt;= highWatermark &lt;= logEndOffset; recoveryPoint &lt;=
 * logEndOffset and every batch below the recovery point is on disk (fsynced); the segments cover
 * [first segment base, logEndOffset) without overlap and the last one (the active segment) takes
 * appends; offsets increase by one record at a time, batch after batch. The leader epoch cache
 * ({@code leader-epoch-checkpoint}) holds, for every epoch of the batches in the log, the offset of
 * the first batch of that epoch (the first entry starting at the log start offset at the latest),
 * and no entry at or past the log end offset; an epoch is recorded before the batches that start it
 * are published. The producer state ({@link ProducerStateManager}) reflects exactly the batches
 * below the log end offset; a snapshot of it is taken at every roll and at close.
 *
 * <p>Thread rules: one writer at a time: appends, roll, truncation, retention and config changes
 * take {@link #lock}. Reads ({@link #read}, lookups by timestamp, the offset getters) take no lock
 * and run concurrently with the writer: the log end is published (volatile) only after the bytes
 * and index entries of an append are written, and a read never goes past the end it saw. {@link
 * #flush} fsyncs outside the lock. A read that races with a truncation or deletion of the range it
 * reads may fail (OffsetOutOfRangeException or LogStorageException); it never returns bytes that
 * are not whole batches.
 */
public final class Log implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(Log.class);

  /** The log end offset and where it lies (segment base and byte position). Immutable. */
  private record LogEnd(long offset, long segmentBaseOffset, int position) {}

  private final Path dir;
  private final TopicPartition topicPartition;
  private volatile UUID topicId;
  private final Scheduler scheduler;
  private final Time time;
  private final LogSegments segments;
  private final LeaderEpochFileCache leaderEpochCache;
  // guarded by lock
  private final ProducerStateManager producerState;
  private final ReentrantLock lock = new ReentrantLock();

  // end, logStartOffset, highWatermark, recoveryPoint, lastFlushTimeMs, offline and closed are
  // written only while holding lock; config is swapped whole by updateConfig. All are volatile so
  // that readers need no lock.
  private volatile LogConfig config;
  private volatile LogEnd end;
  private volatile long logStartOffset;
  private volatile long highWatermark;
  private volatile long recoveryPoint;
  private volatile long lastFlushTimeMs;
  private volatile boolean offline;
  private volatile boolean closed;
  // Counts the changes to segments below the active one other than the cleaner's own swaps
  // (deletion, truncation): a cleaning that started at another value is abandoned. Under lock.
  private long segmentsVersion;

  private Log(
      Path dir,
      TopicPartition tp,
      UUID topicId,
      LogConfig config,
      LogLoader.LoadedLog loaded,
      LeaderEpochFileCache leaderEpochCache,
      ProducerStateManager producerState,
      Scheduler scheduler,
      Time time)
      throws IOException {
    this.dir = dir;
    this.leaderEpochCache = leaderEpochCache;
    this.producerState = producerState;
    this.topicPartition = tp;
    this.topicId = topicId;
    this.config = config;
    this.scheduler = scheduler;
    this.time = time;
    this.segments = loaded.segments();
    this.logStartOffset = loaded.logStartOffset();
    this.recoveryPoint = loaded.recoveryPoint();
    LogSegment active = segments.last();
    this.end = new LogEnd(loaded.nextOffset(), active.baseOffset(), active.size());
    this.highWatermark = loaded.logStartOffset();
    this.lastFlushTimeMs = time.milliseconds();
  }

  /**
   * Opens (creating if needed) the log in {@code dir} and recovers it.
   *
   * @param logStartOffset the checkpointed log start offset (0 if none)
   * @param recoveryPoint the checkpointed recovery point (0 if none): recovery re-reads from here
   * @param hadCleanShutdown whether the clean-shutdown marker was present: no recovery needed
   * @param scheduler runs the deferred deletion of segment files and the flush after a roll
   */
  public static Log open(
      Path dir,
      UUID topicId,
      LogConfig config,
      long logStartOffset,
      long recoveryPoint,
      boolean hadCleanShutdown,
      Scheduler scheduler,
      Time time)
      throws IOException {
    TopicPartition tp = parseTopicPartitionName(dir);
    LogLoader.LoadedLog loaded =
        LogLoader.load(
            dir, tp.toString(), config, logStartOffset, recoveryPoint, hadCleanShutdown, time);
    LeaderEpochFileCache epochs = loadLeaderEpochs(dir, tp, loaded);
    ProducerStateManager producers = new ProducerStateManager(dir, tp.toString());
    producers.deleteSnapshotsAbove(loaded.nextOffset());
    loadProducerState(producers, loaded.segments(), loaded.recoveryPoint(), loaded.nextOffset());
    Log l = new Log(dir, tp, topicId, config, loaded, epochs, producers, scheduler, time);
    log.debug(
        "Loaded log {}: {} segment(s), offsets [{}, {}), recovery point {}",
        tp,
        l.numberOfSegments(),
        l.logStartOffset,
        l.end.offset(),
        l.recoveryPoint);
    return l;
  }

  /**
   * The leader epoch cache of a loaded log: the checkpoint without entries at or past the log end,
   * plus the epochs of the batches after the recovery point (written before a crash could record
   * them); rebuilt from every batch header when the checkpoint is missing or unreadable (a log of
   * the previous version).
   */
  private static LeaderEpochFileCache loadLeaderEpochs(
      Path dir, TopicPartition tp, LogLoader.LoadedLog loaded) throws IOException {
    LeaderEpochCheckpointFile file = LeaderEpochCheckpointFile.in(dir);
    Optional<List<EpochEntry>> read;
    try {
      read = file.read();
    } catch (IOException e) {
      log.warn("{}: rebuilding the leader epoch cache: {}", tp, e.getMessage());
      read = Optional.empty();
    }
    LeaderEpochFileCache cache =
        new LeaderEpochFileCache(tp.toString(), file, read.orElse(List.of()));
    long scanFrom;
    if (read.isPresent()) {
      cache.truncateFromEnd(loaded.nextOffset());
      scanFrom = loaded.recoveryPoint();
    } else {
      log.info(
          "{}: no readable {}; rebuilding it from the batch headers",
          tp,
          file.file().getFileName());
      scanFrom = loaded.logStartOffset();
    }
    List<EpochEntry> found = new ArrayList<>();
    int[] latest = {cache.latestEpoch().orElse(-1)};
    forEachBatchHeader(
        loaded.segments(),
        scanFrom,
        h -> {
          if (h.partitionLeaderEpoch() > latest[0]) {
            found.add(new EpochEntry(h.partitionLeaderEpoch(), h.baseOffset()));
            latest[0] = h.partitionLeaderEpoch();
          }
        });
    cache.assignAll(found);
    cache.truncateFromStart(loaded.logStartOffset());
    if (read.isEmpty()) {
      cache.flush();
    }
    return cache;
  }

  /**
   * Loads the latest snapshot at or below {@code maxSnapshotOffset}, then replays the batch headers
   * after it up to {@code endOffset} (from the first segment when there is no snapshot).
   */
  private static void loadProducerState(
      ProducerStateManager producers, LogSegments segments, long maxSnapshotOffset, long endOffset)
      throws IOException {
    producers.loadLatestSnapshot(Math.min(maxSnapshotOffset, endOffset));
    long from = Math.max(producers.mapEndOffset(), segments.first().baseOffset());
    forEachBatchHeader(
        segments,
        from,
        h -> {
          if (h.baseOffset() >= from && h.nextOffset() <= endOffset) {
            producers.update(h);
          }
        });
    producers.updateMapEndOffset(endOffset);
  }

  /** Every whole batch header from the one holding {@code fromOffset} to the end of the log. */
  private static void forEachBatchHeader(
      LogSegments segments, long fromOffset, LogSegment.HeaderVisitor visitor) throws IOException {
    LogSegment first = segments.floor(fromOffset);
    for (LogSegment s : segments.values()) {
      if (first == null || s.baseOffset() >= first.baseOffset()) {
        s.forEachBatchHeader(fromOffset, visitor);
      }
    }
  }

  /** {@code <topic>-<partition>} (the topic may itself contain '-'). */
  public static TopicPartition parseTopicPartitionName(Path dir) {
    String name = dir.getFileName().toString();
    int dash = name.lastIndexOf('-');
    if (dash <= 0 || dash == name.length() - 1) {
      throw new IllegalArgumentException(
          "directory name \"" + name + "\" is not <topic>-<partition>");
    }
    try {
      int p = Integer.parseInt(name.substring(dash + 1));
      if (p < 0) {
        throw new NumberFormatException();
      }
      return new TopicPartition(name.substring(0, dash), p);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "directory name \"" + name + "\" is not <topic>-<partition>", e);
    }
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public UUID topicId() {
    return topicId;
  }

  /** Records the topic id of a log loaded without one (LogManager writes partition.metadata). */
  void setTopicId(UUID id) {
    this.topicId = id;
  }

  public LogConfig config() {
    return config;
  }

  /** Applies new topic-level settings; index sizes change for segments created from now on. */
  public void updateConfig(LogConfig newConfig) {
    this.config = newConfig;
  }

  public Path dir() {
    return dir;
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  public long logEndOffset() {
    return end.offset();
  }

  public long highWatermark() {
    return highWatermark;
  }

  /** Sets the high watermark, clamped to [logStartOffset, logEndOffset]. */
  public void updateHighWatermark(long hw) {
    lock.lock();
    try {
      highWatermark = Math.min(Math.max(hw, logStartOffset), end.offset());
    } finally {
      lock.unlock();
    }
  }

  public long recoveryPoint() {
    return recoveryPoint;
  }

  /** Whether an I/O error took the log offline (appends then fail fast). */
  public boolean isOffline() {
    return offline;
  }

  /** Bytes in all segments. */
  public long size() {
    return segments.sizeInBytes();
  }

  public int numberOfSegments() {
    return segments.size();
  }

  /** Base offsets of the segments, oldest first (for tools and tests). */
  public List<Long> segmentBaseOffsets() {
    List<Long> r = new ArrayList<>();
    for (LogSegment s : segments.values()) {
      r.add(s.baseOffset());
    }
    return r;
  }

  /** The segments themselves (for tests and tools in this package). */
  LogSegments segments() {
    return segments;
  }

  /** When the last flush ended (for flush.ms). */
  public long lastFlushTimeMs() {
    return lastFlushTimeMs;
  }

  // ------------------------------------------------------------------ append

  /**
   * Validates every batch in {@code records}, then assigns offsets from the log end, stamps {@code
   * leaderEpoch} (and LogAppendTime when the topic uses it) into the batches in place (the caller's
   * buffer is modified; a read-only one is copied first), and appends the buffer with one write.
   * Nothing is appended when any batch fails validation.
   *
   * <p>Batches of idempotent producers (producer id >= 0) are checked against the producer state
   * first: a retry of one of the producer's last five batches appends nothing and answers a {@link
   * LogAppendInfo#duplicate()} with the original offsets.
   *
   * @throws RecordTooLargeException a batch over max.message.bytes, or the whole request over
   *     segment.bytes
   * @throws CorruptRecordException a CRC mismatch, a bad header, an empty batch, trailing bytes
   * @throws LogStorageException an I/O error (the log goes offline) or the log is offline
   * @throws InvalidProducerEpochException a batch of an older producer epoch than the log's
   * @throws OutOfOrderSequenceException a batch that does not continue its producer's sequence
   */
  public LogAppendInfo appendAsLeader(ByteBuffer records, int leaderEpoch) {
    LogConfig cfg = config;
    ByteBuffer buf = LogValidator.writableView(records);
    LogValidator.validate(buf, cfg, true, topicPartition);
    if (cfg.compact()) {
      requireKeys(buf);
    }
    lock.lock();
    try {
      ensureWritable();
      long now = time.milliseconds();
      boolean logAppendTime = cfg.messageTimestampType() == TimestampType.LOG_APPEND_TIME;
      ProducerStateEntry.BatchMetadata duplicate =
          producerState.checkLeaderAppend(buf, end.offset());
      if (duplicate != null) {
        log.debug("{}: duplicate of the batch at offsets {}", topicPartition, duplicate);
        return new LogAppendInfo(
            duplicate.firstOffset(),
            duplicate.lastOffset(),
            RecordBatch.NO_TIMESTAMP,
            -1L,
            logAppendTime ? duplicate.timestamp() : -1L,
            0,
            0,
            logStartOffset,
            true);
      }
      LogValidator.Stamped st =
          LogValidator.assignOffsets(buf, end.offset(), leaderEpoch, logAppendTime, now);
      assignEpochLocked(leaderEpoch, st.firstOffset());
      appendLocked(buf, st.lastOffset(), st.maxTimestamp(), now);
      producerState.update(buf);
      return st.toAppendInfo(logAppendTime ? now : -1L, buf.remaining(), logStartOffset);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends batches whose offsets were assigned by the leader (replication). The first batch must
   * start at the log end offset and offsets must increase; CRCs are checked. The producer state and
   * leader epochs follow the batches without further checks.
   *
   * @throws UnexpectedAppendOffsetException offsets that do not continue the log
   */
  public LogAppendInfo appendAsFollower(ByteBuffer records) {
    LogConfig cfg = config;
    ByteBuffer buf = records.duplicate().order(ByteOrder.BIG_ENDIAN);
    LogValidator.validate(buf, cfg, false, topicPartition);
    lock.lock();
    try {
      ensureWritable();
      long expectedFirst = end.offset();
      if (cfg.compact() && buf.remaining() >= RecordBatch.RECORD_BATCH_OVERHEAD) {
        // The leader's cleaner may have removed whole batches: the next batch it holds can start
        // past this log's end (Kafka accepts such a gap too). Offsets never go backwards.
        expectedFirst = Math.max(expectedFirst, buf.getLong(buf.position()));
      }
      LogValidator.Stamped st =
          LogValidator.checkFollowerOffsets(buf, expectedFirst, topicPartition);
      for (int pos = buf.position(); pos < buf.limit(); ) {
        BatchHeader h = BatchHeader.read(buf, pos, pos);
        assignEpochLocked(h.partitionLeaderEpoch(), h.baseOffset());
        pos += h.size();
      }
      appendLocked(buf, st.lastOffset(), st.maxTimestamp(), time.milliseconds());
      producerState.update(buf);
      return st.toAppendInfo(-1L, buf.remaining(), logStartOffset);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A record without a key in a batch appended to a compacted log (Kafka answers INVALID_RECORD
   * with the same message): the cleaner could only drop it.
   */
  public static final class InvalidRecordException extends CorruptRecordException {
    InvalidRecordException(String message) {
      super(message);
    }
  }

  /**
   * Refuses records without a key in an append to a compacted log, as Kafka's LogValidator does.
   * Decodes the records (decompressing them): compacted topics pay for it, others do not.
   */
  private void requireKeys(ByteBuffer buf) {
    for (RecordBatch b : io.brook.protocol.record.RecordBatches.of(buf)) {
      if (b.isControlBatch()) {
        continue;
      }
      for (Record r : b) {
        if (!r.hasKey()) {
          throw new InvalidRecordException(
              "Compacted topic cannot accept message without key in topic partition "
                  + topicPartition
                  + ".");
        }
      }
    }
  }

  /** Records a new leader epoch before the batches that start it are published. */
  private void assignEpochLocked(int epoch, long startOffset) {
    try {
      if (leaderEpochCache.assign(epoch, startOffset)) {
        log.info("{}: leader epoch {} starts at offset {}", topicPartition, epoch, startOffset);
      }
    } catch (IOException e) {
      throw goOffline("leader epoch checkpoint", e);
    }
  }

  private void ensureWritable() {
    if (closed) {
      throw new LogStorageException("log " + topicPartition + " is closed");
    }
    if (offline) {
      throw new LogStorageException(
          "log " + topicPartition + " in " + dir.getParent() + " is offline after an I/O error");
    }
  }

  /** Rolls if needed, writes, publishes the new end, flushes per flush.messages. */
  private void appendLocked(ByteBuffer buf, long lastOffset, long maxTs, long now) {
    LogConfig cfg = config;
    try {
      LogSegment active = segments.last();
      if (active.shouldRoll(
          cfg.segmentBytes(),
          cfg.maxSegmentMs(),
          buf.remaining(),
          lastOffset,
          maxTs < 0 ? now : maxTs,
          now)) {
        active = rollLocked();
      }
      active.append(buf);
      end = new LogEnd(lastOffset + 1, active.baseOffset(), active.size());
    } catch (IOException e) {
      throw goOffline("append", e);
    }
    if (end.offset() - recoveryPoint >= cfg.flushMessages()) {
      flush();
    }
  }

  private LogStorageException goOffline(String what, IOException e) {
    offline = true;
    log.error("Log {} in {} is offline: {} failed", topicPartition, dir.getParent(), what, e);
    return new LogStorageException(
        what + " of " + topicPartition + " in " + dir + " failed: " + e.getMessage(), e);
  }

  // ------------------------------------------------------------------ leader epochs

  /** The epoch of the latest leader that appended to this log, if any batch carries one. */
  public OptionalInt latestEpoch() {
    return leaderEpochCache.latestEpoch();
  }

  /**
   * The end offset of {@code requestedEpoch} in this log, with Kafka's semantics
   * (LeaderEpochFileCache.endOffsetFor): the latest epoch ends at the log end offset; an earlier
   * epoch ends where the smallest epoch above it starts, paired with the largest epoch at or below
   * the requested one (the requested one itself when there is none below); (-1, -1) when no epoch
   * above the requested one is known (or none at all).
   */
  public OffsetAndEpoch endOffsetForEpoch(int requestedEpoch) {
    return leaderEpochCache.endOffsetFor(requestedEpoch, end.offset());
  }

  /**
   * Records that {@code leaderEpoch} starts at {@code startOffset} (normally the log end offset)
   * when it is newer than the latest epoch, before any batch of it is appended, as Kafka's
   * Partition.makeLeader does (Log.maybeAssignEpochStartOffset). Appends record new epochs
   * themselves, so calling this is optional.
   */
  public void assignEpochStartOffset(int leaderEpoch, long startOffset) {
    lock.lock();
    try {
      ensureWritable();
      if (startOffset < logStartOffset || startOffset > end.offset()) {
        throw new IllegalArgumentException(
            "epoch start offset "
                + startOffset
                + " of "
                + topicPartition
                + " is outside ["
                + logStartOffset
                + ", "
                + end.offset()
                + "]");
      }
      if (leaderEpoch > leaderEpochCache.latestEpoch().orElse(-1)) {
        assignEpochLocked(leaderEpoch, startOffset);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The leader epoch cache (for tests in this package). */
  LeaderEpochFileCache leaderEpochCache() {
    return leaderEpochCache;
  }

  // ------------------------------------------------------------------ read

  /**
   * Whole batches starting with the one that holds {@code startOffset}.
   *
   * @param maxBytes at most this many bytes, unless {@code minOneMessage} and the first batch alone
   *     is larger (then exactly that batch)
   * @param maxOffsetExclusive no batch whose last offset reaches this (e.g. the high watermark)
   * @throws OffsetOutOfRangeException startOffset below the log start or above the log end
   */
  public FetchDataInfo read(
      long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
    LogEnd e = end;
    long lso = logStartOffset;
    if (startOffset < lso || startOffset > e.offset()) {
      throw new OffsetOutOfRangeException(
          "offset "
              + startOffset
              + " is out of range for partition "
              + topicPartition
              + ": the log holds ["
              + lso
              + ", "
              + e.offset()
              + ")");
    }
    if (startOffset == e.offset() || maxOffsetExclusive <= startOffset || maxBytes < 0) {
      return FetchDataInfo.empty(startOffset, lso, e.offset());
    }
    long bound = maxOffsetExclusive >= e.offset() ? Long.MAX_VALUE : maxOffsetExclusive;
    try {
      LogSegment s = segments.floor(startOffset);
      while (s != null && s.baseOffset() <= e.segmentBaseOffset()) {
        int maxPosition =
            s.baseOffset() == e.segmentBaseOffset() ? e.position() : Integer.MAX_VALUE;
        ByteBuffer r = s.read(startOffset, maxBytes, bound, maxPosition, minOneMessage);
        if (r != null) {
          return new FetchDataInfo(startOffset, r, lso, e.offset());
        }
        s = segments.higher(s.baseOffset());
      }
      return FetchDataInfo.empty(startOffset, lso, e.offset());
    } catch (ClosedChannelException ex) {
      // the segment was deleted or truncated away under the read
      if (startOffset < logStartOffset) {
        throw new OffsetOutOfRangeException(
            "offset " + startOffset + " was deleted from " + topicPartition + " during the read");
      }
      throw new LogStorageException("read of " + topicPartition + " failed: " + ex, ex);
    } catch (IOException ex) {
      throw new LogStorageException(
          "read of " + topicPartition + " at offset " + startOffset + " failed: " + ex, ex);
    }
  }

  /**
   * The first batch whose max timestamp is at least {@code timestamp}: its base offset and max
   * timestamp (batch granularity: the consumer skips earlier records of that batch itself). Empty
   * when every batch is older.
   */
  public Optional<TimestampAndOffset> fetchOffsetByTimestamp(long timestamp) {
    try {
      long lso = logStartOffset;
      for (LogSegment s : segments.values()) {
        if (s.size() == 0 || s.maxTimestampSoFar() < timestamp) {
          continue;
        }
        BatchHeader h = s.findByTimestamp(timestamp, lso);
        if (h != null) {
          Record r = firstRecord(s, h, lso, rec -> rec.timestamp() >= timestamp);
          return Optional.of(
              r != null
                  ? new TimestampAndOffset(r.timestamp(), r.offset(), h.partitionLeaderEpoch())
                  : new TimestampAndOffset(
                      h.maxTimestamp(), Math.max(h.baseOffset(), lso), h.partitionLeaderEpoch()));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new LogStorageException(
          "lookup by timestamp in " + topicPartition + " failed: " + e, e);
    }
  }

  /**
   * ListOffsets' "max timestamp" (-3): the batch with the largest max timestamp (the first such),
   * its base offset and that timestamp. Empty for an empty log.
   */
  public Optional<TimestampAndOffset> fetchOffsetForMaxTimestamp() {
    try {
      LogSegment best = null;
      long bestTs = -1;
      for (LogSegment s : segments.values()) {
        if (s.size() > 0 && s.maxTimestampSoFar() > bestTs) {
          best = s;
          bestTs = s.maxTimestampSoFar();
        }
      }
      if (best == null) {
        return Optional.empty();
      }
      BatchHeader h = best.translateOffset(best.offsetOfMaxTimestampSoFar());
      if (h == null) {
        return Optional.empty();
      }
      long maxTs = bestTs;
      Record r = firstRecord(best, h, logStartOffset, rec -> rec.timestamp() == maxTs);
      return Optional.of(
          new TimestampAndOffset(
              bestTs,
              r != null ? r.offset() : Math.max(h.baseOffset(), logStartOffset),
              h.partitionLeaderEpoch()));
    } catch (IOException e) {
      throw new LogStorageException("max timestamp lookup in " + topicPartition + " failed", e);
    }
  }

  /**
   * The first record of batch {@code h} at or after {@code minOffset} that matches, or null. Reads
   * and decodes that one batch: ListOffsets answers with the exact record as Kafka does, and is not
   * on the produce or fetch path. A batch that does not decode yields null (the caller falls back
   * to the batch's base offset).
   */
  private static Record firstRecord(
      LogSegment s, BatchHeader h, long minOffset, Predicate<Record> matches) throws IOException {
    try {
      for (Record r : RecordBatch.wrap(s.readBatch(h))) {
        if (r.offset() >= minOffset && matches.test(r)) {
          return r;
        }
      }
    } catch (CorruptRecordException e) {
      log.warn(
          "Batch at offset {} could not be decoded for a timestamp lookup: {}",
          h.baseOffset(),
          e.getMessage());
    }
    return null;
  }

  // ------------------------------------------------------------------ roll, flush

  /** Starts a new segment at the log end offset (nothing happens if the active one is empty). */
  public void roll() {
    lock.lock();
    try {
      ensureWritable();
      rollLocked();
    } catch (IOException e) {
      throw goOffline("roll", e);
    } finally {
      lock.unlock();
    }
  }

  private LogSegment rollLocked() throws IOException {
    LogSegment active = segments.last();
    long newBase = end.offset();
    if (active.baseOffset() == newBase && active.size() == 0) {
      return active;
    }
    active.onBecomeInactiveSegment();
    LogSegment s = LogLoader.create(dir, newBase, config, time);
    segments.add(s);
    producerState.updateMapEndOffset(newBase);
    producerState.takeSnapshot();
    end = new LogEnd(newBase, newBase, 0);
    log.info("Rolled new log segment for {} at offset {}", topicPartition, newBase);
    // the rolled segment is flushed soon, in the background, as Kafka does
    scheduler.schedule("flush-log-" + topicPartition, () -> flushQuietly(newBase), 0L, 0L);
    return s;
  }

  private void flushQuietly(long offset) {
    try {
      flushUpTo(offset);
    } catch (LogStorageException e) {
      // already logged by goOffline
    }
  }

  /** Flushes everything up to the log end offset and advances the recovery point. */
  public void flush() {
    flushUpTo(end.offset());
  }

  private void flushUpTo(long offset) {
    if (offset <= recoveryPoint || closed) {
      return;
    }
    try {
      for (LogSegment s : segments.values(recoveryPoint, offset)) {
        try {
          s.flush();
        } catch (ClosedChannelException e) {
          if (segments.get(s.baseOffset()) == s) {
            throw e;
          }
          // deleted or replaced meanwhile: nothing to flush
        }
      }
    } catch (IOException e) {
      lock.lock();
      try {
        throw goOffline("flush", e);
      } finally {
        lock.unlock();
      }
    }
    lock.lock();
    try {
      if (offset > recoveryPoint) {
        recoveryPoint = Math.min(offset, end.offset());
      }
      lastFlushTimeMs = time.milliseconds();
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ retention

  /**
   * Deletes the oldest segments that retention.ms or retention.bytes no longer keep, and those
   * wholly below the log start offset, only below the high watermark. The active segment is deleted
   * only when everything has expired, after rolling a new empty one. The log start offset moves to
   * the first remaining segment.
   *
   * @return segments deleted
   */
  public int deleteOldSegments() {
    LogConfig cfg = config;
    int deleted = 0;
    if (cfg.delete() && cfg.retentionMs() >= 0) {
      long limit = time.milliseconds() - cfg.retentionMs();
      deleted +=
          deleteSegments(
              (s, next) -> {
                try {
                  return s.largestTimestamp() < limit;
                } catch (IOException e) {
                  throw new LogStorageException("cannot read " + s, e);
                }
              },
              "retention.ms=" + cfg.retentionMs());
    }
    if (cfg.delete() && cfg.retentionBytes() >= 0) {
      long[] diff = {size() - cfg.retentionBytes()};
      deleted +=
          deleteSegments(
              (s, next) -> {
                if (diff[0] - s.size() >= 0) {
                  diff[0] -= s.size();
                  return true;
                }
                return false;
              },
              "retention.bytes=" + cfg.retentionBytes());
    }
    deleted +=
        deleteSegments(
            (s, next) -> next != null && next.baseOffset() <= logStartOffset, "log start offset");
    return deleted;
  }

  private int deleteSegments(BiPredicate<LogSegment, LogSegment> predicate, String reason) {
    lock.lock();
    try {
      if (closed || offline) {
        return 0;
      }
      List<LogSegment> all = segments.values();
      List<LogSegment> deletable = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        LogSegment s = all.get(i);
        LogSegment next = i + 1 < all.size() ? all.get(i + 1) : null;
        long upperBound = next != null ? next.baseOffset() : end.offset();
        boolean lastAndEmpty = next == null && s.size() == 0;
        if (upperBound <= highWatermark && !lastAndEmpty && predicate.test(s, next)) {
          deletable.add(s);
        } else {
          break;
        }
      }
      if (deletable.isEmpty()) {
        return 0;
      }
      segmentsVersion++;
      if (deletable.size() == all.size()) {
        rollLocked();
      }
      for (LogSegment s : deletable) {
        segments.remove(s.baseOffset());
        logStartOffset = Math.max(logStartOffset, segments.first().baseOffset());
        asyncDelete(s);
      }
      highWatermark = Math.max(highWatermark, logStartOffset);
      recoveryPoint = Math.max(recoveryPoint, logStartOffset);
      leaderEpochCache.truncateFromStart(logStartOffset);
      for (long o : producerState.snapshotOffsets().headSet(logStartOffset, false)) {
        producerState.deleteSnapshot(o);
      }
      log.info(
          "Deleted {} segment(s) of {} by {}; log start offset is now {}",
          deletable.size(),
          topicPartition,
          reason,
          logStartOffset);
      return deletable.size();
    } catch (IOException e) {
      throw goOffline("segment deletion", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Renames the segment's files to {@code .deleted} and removes them after file.delete.delay.ms.
   */
  private void asyncDelete(LogSegment s) throws IOException {
    s.changeFileSuffixes("", LogFileNames.DELETED_SUFFIX);
    scheduler.schedule(
        "delete-file-" + topicPartition + "-" + s.baseOffset(),
        () -> {
          try {
            s.closeAndDelete();
          } catch (IOException e) {
            log.warn("Could not delete segment files of {}: {}", topicPartition, e.toString());
          }
        },
        config.fileDeleteDelayMs(),
        0L);
  }

  // ------------------------------------------------------------------ truncation

  /**
   * Removes every batch at or after the one holding {@code offset} (a batch is never split: the log
   * then ends at that batch's base offset), including whole later segments. Nothing happens when
   * {@code offset} is at or past the log end. Below the first segment, the log is emptied and
   * starts at {@code offset}.
   */
  public void truncateTo(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("cannot truncate " + topicPartition + " to " + offset);
    }
    lock.lock();
    try {
      ensureWritable();
      if (offset >= end.offset()) {
        // Nothing to cut, but an epoch may start at the log end without a record of its own: this
        // broker led that epoch and appended nothing before another leader was elected. Left in
        // place, the follower would keep asking for that epoch, get the same diverging answer and
        // never fetch (Kafka truncates the epoch cache here too, for the same reason).
        leaderEpochCache.truncateFromEnd(end.offset());
        return;
      }
      if (offset < segments.first().baseOffset() || offset < logStartOffset) {
        truncateFullyAndStartAtLocked(offset);
        return;
      }
      log.info("Truncating {} to offset {} (log end was {})", topicPartition, offset, end.offset());
      segmentsVersion++;
      for (LogSegment s : segments.values()) {
        if (s.baseOffset() > offset) {
          segments.remove(s.baseOffset());
          asyncDelete(s);
        }
      }
      LogSegment active = segments.last();
      active.truncateTo(offset);
      active.resizeIndexesToMax();
      long next = active.readNextOffset();
      end = new LogEnd(next, active.baseOffset(), active.size());
      recoveryPoint = Math.min(recoveryPoint, next);
      highWatermark = Math.min(highWatermark, next);
      leaderEpochCache.truncateFromEnd(next);
      producerState.deleteSnapshotsAbove(next);
      loadProducerState(producerState, segments, next, next);
    } catch (IOException e) {
      throw goOffline("truncation", e);
    } finally {
      lock.unlock();
    }
  }

  /** Deletes every segment and starts the log, empty, at {@code offset}. */
  public void truncateFullyAndStartAt(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("cannot start " + topicPartition + " at " + offset);
    }
    lock.lock();
    try {
      ensureWritable();
      truncateFullyAndStartAtLocked(offset);
    } catch (IOException e) {
      throw goOffline("truncation", e);
    } finally {
      lock.unlock();
    }
  }

  private void truncateFullyAndStartAtLocked(long offset) throws IOException {
    log.info("Truncating {} fully; it starts again at offset {}", topicPartition, offset);
    segmentsVersion++;
    List<LogSegment> old = segments.values();
    for (LogSegment s : old) {
      segments.remove(s.baseOffset());
      asyncDelete(s);
    }
    LogSegment s = LogLoader.create(dir, offset, config, time);
    segments.add(s);
    end = new LogEnd(offset, offset, 0);
    logStartOffset = offset;
    recoveryPoint = offset;
    highWatermark = offset;
    leaderEpochCache.clearAndFlush();
    producerState.truncateFullyAndStartAt(offset);
  }

  // ------------------------------------------------------------------ compaction

  /**
   * What the cleaner needs to know of this log, read together under the lock: the segments (oldest
   * first, the active one last), the version of the segment list (see {@link #replaceSegments}),
   * the high watermark, and for every producer in the producer state the last offset of its last
   * batch (that batch is kept, even emptied, so that the producer state survives a rebuild from the
   * log).
   */
  record CleanerSnapshot(
      List<LogSegment> segments,
      long version,
      long logStartOffset,
      long highWatermark,
      java.util.Map<Long, Long> lastBatchOffsetByProducer) {}

  /** A consistent view for the cleaner (package-private: LogCleaner only). */
  CleanerSnapshot cleanerSnapshot() {
    lock.lock();
    try {
      java.util.Map<Long, Long> lastBatches = new java.util.HashMap<>();
      for (var e : producerState.activeProducers().entrySet()) {
        lastBatches.put(e.getKey(), e.getValue().lastOffset());
      }
      return new CleanerSnapshot(
          segments.values(), segmentsVersion, logStartOffset, highWatermark, lastBatches);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces {@code oldSegments} (consecutive, below the active segment) with {@code cleaned}, a
   * segment with the suffix {@code .cleaned} whose base offset is the first old segment's and whose
   * batches are a subset of theirs with unchanged offsets. Crash-safe as Kafka's replaceSegments:
   *
   * <ol>
   *   <li>the cleaned files, already fsynced, are renamed to {@code .swap} (from here on {@link
   *       LogLoader} completes the swap after a crash: it renames the {@code .log.swap} into place,
   *       rebuilds its indexes and deletes the old segments it covers);
   *   <li>the new segment takes the old ones' place in the segment map (readers see either);
   *   <li>the old segments' files are renamed to {@code .deleted} and removed after
   *       file.delete.delay.ms (readers holding them keep reading);
   *   <li>the new files lose the {@code .swap} suffix.
   * </ol>
   *
   * Nothing is replaced, and false returned, when the log changed meanwhile other than by appends:
   * closed, offline, truncated or segments deleted (the version differs), or any old segment is no
   * longer the one in the map. The caller then deletes the cleaned segment.
   */
  boolean replaceSegments(List<LogSegment> oldSegments, LogSegment cleaned, long expectedVersion)
      throws IOException {
    lock.lock();
    try {
      if (closed || offline || segmentsVersion != expectedVersion) {
        return false;
      }
      LogSegment active = segments.last();
      for (LogSegment s : oldSegments) {
        if (segments.get(s.baseOffset()) != s || s == active) {
          return false;
        }
      }
      if (cleaned.baseOffset() != oldSegments.get(0).baseOffset()) {
        throw new IllegalArgumentException(
            "cleaned segment " + cleaned + " does not start at " + oldSegments.get(0));
      }
      try {
        cleaned.changeFileSuffixes(LogFileNames.CLEANED_SUFFIX, LogFileNames.SWAP_SUFFIX);
        io.brook.broker.log.internals.AtomicFiles.fsyncDirectory(dir);
        segments.add(cleaned);
        for (LogSegment s : oldSegments) {
          if (s.baseOffset() != cleaned.baseOffset()) {
            segments.remove(s.baseOffset());
          }
          asyncDelete(s);
        }
        cleaned.changeFileSuffixes(LogFileNames.SWAP_SUFFIX, "");
        io.brook.broker.log.internals.AtomicFiles.fsyncDirectory(dir);
      } catch (IOException e) {
        throw goOffline("segment swap after cleaning", e);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ producers

  /**
   * Forgets the producers whose last batch is at least {@code producerIdExpirationMs} old
   * (producer.id.expiration.ms); a later batch of such a producer is accepted at any sequence.
   *
   * @return how many were forgotten
   */
  public int removeExpiredProducers(long producerIdExpirationMs) {
    lock.lock();
    try {
      int n = producerState.removeExpiredProducers(time.milliseconds(), producerIdExpirationMs);
      if (n > 0) {
        log.debug("{}: {} idle producer id(s) expired", topicPartition, n);
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** The producer state (for tests in this package; use under no concurrent writer). */
  ProducerStateManager producerState() {
    return producerState;
  }

  // ------------------------------------------------------------------ close

  /**
   * Flushes and snapshots the producer state (unless offline), writes each segment's final
   * time-index entry, trims the indexes and closes the files. Idempotent.
   */
  @Override
  public void close() {
    if (!offline && !closed) {
      try {
        flush();
        snapshotProducerState();
      } catch (LogStorageException e) {
        // logged; close anyway
      }
    }
    closeWithoutFlush();
  }

  private void snapshotProducerState() {
    lock.lock();
    try {
      if (!closed && !offline) {
        producerState.takeSnapshot();
      }
    } catch (IOException e) {
      throw goOffline("producer state snapshot", e);
    } finally {
      lock.unlock();
    }
  }

  /** Closes without flushing (a log about to be deleted). */
  void closeWithoutFlush() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (LogSegment s : segments.values()) {
        try {
          s.close();
        } catch (IOException e) {
          log.warn(
              "Closing segment {} of {} failed: {}", s.baseOffset(), topicPartition, e.toString());
          offline = true;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "Log("
        + topicPartition
        + ", dir="
        + dir
        + ", offsets=["
        + logStartOffset
        + ", "
        + end.offset()
        + "), hw="
        + highWatermark
        + ", recoveryPoint="
        + recoveryPoint
        + ")";
  }
}
