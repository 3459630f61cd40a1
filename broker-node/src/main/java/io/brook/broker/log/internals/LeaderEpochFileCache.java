package io.brook.broker.log.internals;

import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile.EpochEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The leader epochs of one partition's log: for each epoch the first offset written under it
 * (Kafka's LeaderEpochFileCache, the KIP-101 / KIP-279 scheme). Every change is written through to
 * the {@link LeaderEpochCheckpointFile} before the method returns.
 *
 * <p>Invariants: epochs and start offsets both strictly increase from entry to entry; every start
 * offset lies in [log start offset, log end offset] of the log that owns the cache (the owner
 * truncates the cache with its log).
 *
 * <p>Thread rules: mutations are made by the owning log's single writer; every method is
 * synchronized on this object, so the lookups ({@link #latestEpoch}, {@link #endOffsetFor}) may run
 * on any thread.
 */
public final class LeaderEpochFileCache {
  private static final Logger log = LogManager.getLogger(LeaderEpochFileCache.class);

  /** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
  public static final int UNDEFINED_EPOCH = -1;

  public static final long UNDEFINED_EPOCH_OFFSET = -1L;

  private final String name;
  private final LeaderEpochCheckpointFile checkpoint;
  private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>();

  /**
   * A cache holding {@code entries} (as read from the checkpoint, or rebuilt); nothing is written.
   *
   * @param name the partition, for log messages
   */
  public LeaderEpochFileCache(
      String name, LeaderEpochCheckpointFile checkpoint, List<EpochEntry> entries) {
    this.name = name;
    this.checkpoint = checkpoint;
    for (EpochEntry e : entries) {
      assignInMemory(e);
    }
  }

  /**
   * Records that {@code epoch} starts at {@code startOffset}, unless the latest entry already is
   * that epoch with a start offset at or before it. Entries that would break monotonicity (an epoch
   * at or above {@code epoch}, or a start offset at or after {@code startOffset}) are removed
   * first. Negative epochs (batches from before leader epochs) are ignored.
   *
   * @return whether the cache changed (and the checkpoint was written)
   */
  public synchronized boolean assign(int epoch, long startOffset) throws IOException {
    if (epoch < 0 || startOffset < 0) {
      return false;
    }
    if (!assignInMemory(new EpochEntry(epoch, startOffset))) {
      return false;
    }
    flush();
    return true;
  }

  /**
   * {@link #assign} for each entry in order, with one checkpoint write at the end (if anything
   * changed).
   */
  public synchronized void assignAll(List<EpochEntry> entries) throws IOException {
    boolean changed = false;
    for (EpochEntry e : entries) {
      if (e.epoch() >= 0 && e.startOffset() >= 0) {
        changed |= assignInMemory(e);
      }
    }
    if (changed) {
      flush();
    }
  }

  private boolean assignInMemory(EpochEntry entry) {
    Map.Entry<Integer, EpochEntry> latest = epochs.lastEntry();
    if (latest != null
        && latest.getValue().epoch() == entry.epoch()
        && entry.startOffset() >= latest.getValue().startOffset()) {
      return false;
    }
    List<EpochEntry> removed =
        removeFromEnd(e -> e.epoch() >= entry.epoch() || e.startOffset() >= entry.startOffset());
    if (removed.size() > 1
        || (!removed.isEmpty() && removed.get(0).startOffset() != entry.startOffset())) {
      log.warn(
          "{}: new leader epoch entry {} replaces {} to keep epochs and offsets increasing",
          name,
          entry,
          removed);
    }
    epochs.put(entry.epoch(), entry);
    return true;
  }

  /** The latest epoch, if any. */
  public synchronized OptionalInt latestEpoch() {
    Map.Entry<Integer, EpochEntry> e = epochs.lastEntry();
    return e == null ? OptionalInt.empty() : OptionalInt.of(e.getKey());
  }

  /** The earliest entry, if any (for tests and tools). */
  public synchronized EpochEntry earliestEntry() {
    Map.Entry<Integer, EpochEntry> e = epochs.firstEntry();
    return e == null ? null : e.getValue();
  }

  /** A copy of the entries, oldest first. */
  public synchronized List<EpochEntry> entries() {
    return new ArrayList<>(epochs.values());
  }

  /**
   * Kafka's LeaderEpochFileCache.endOffsetFor: the end offset of {@code requestedEpoch} and the
   * epoch it belongs to.
   *
   * <ul>
   *   <li>requested == the latest epoch: ({@code logEndOffset}, latest);
   *   <li>an epoch above requested exists: (start offset of the smallest epoch above requested, the
   *       largest epoch at or below requested, or requested itself when there is none);
   *   <li>otherwise (no epoch above requested, an empty cache, or requested == -1): (-1, -1).
   * </ul>
   */
  public synchronized OffsetAndEpoch endOffsetFor(int requestedEpoch, long logEndOffset) {
    if (requestedEpoch == UNDEFINED_EPOCH) {
      return new OffsetAndEpoch(UNDEFINED_EPOCH_OFFSET, UNDEFINED_EPOCH);
    }
    Map.Entry<Integer, EpochEntry> latest = epochs.lastEntry();
    if (latest != null && latest.getKey() == requestedEpoch) {
      return new OffsetAndEpoch(logEndOffset, requestedEpoch);
    }
    Map.Entry<Integer, EpochEntry> higher = epochs.higherEntry(requestedEpoch);
    if (higher == null) {
      return new OffsetAndEpoch(UNDEFINED_EPOCH_OFFSET, UNDEFINED_EPOCH);
    }
    Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
    int epoch = floor == null ? requestedEpoch : floor.getKey();
    return new OffsetAndEpoch(higher.getValue().startOffset(), epoch);
  }

  /**
   * Removes the entries whose start offset is at or after {@code endOffset} (the log was truncated
   * to end there).
   */
  public synchronized void truncateFromEnd(long endOffset) throws IOException {
    Map.Entry<Integer, EpochEntry> latest = epochs.lastEntry();
    if (endOffset >= 0 && latest != null && latest.getValue().startOffset() >= endOffset) {
      List<EpochEntry> removed = removeFromEnd(e -> e.startOffset() >= endOffset);
      flush();
      log.debug(
          "{}: removed leader epoch entries {} at or after offset {}", name, removed, endOffset);
    }
  }

  /**
   * The log now starts at {@code startOffset}: entries starting at or before it are removed except
   * the last of them, whose start offset becomes {@code startOffset}.
   */
  public synchronized void truncateFromStart(long startOffset) throws IOException {
    List<EpochEntry> removed = new ArrayList<>();
    while (!epochs.isEmpty() && epochs.firstEntry().getValue().startOffset() <= startOffset) {
      removed.add(epochs.pollFirstEntry().getValue());
    }
    if (removed.isEmpty()) {
      return;
    }
    EpochEntry last = removed.get(removed.size() - 1);
    EpochEntry updated = new EpochEntry(last.epoch(), startOffset);
    epochs.put(updated.epoch(), updated);
    if (removed.size() > 1 || last.startOffset() != startOffset) {
      flush();
      log.debug("{}: leader epochs now start with {} (log start {})", name, updated, startOffset);
    }
  }

  /** Removes every entry (the log was emptied). */
  public synchronized void clearAndFlush() throws IOException {
    epochs.clear();
    flush();
  }

  /** Writes the checkpoint file with the current entries. */
  public synchronized void flush() throws IOException {
    checkpoint.write(new ArrayList<>(epochs.values()));
  }

  private List<EpochEntry> removeFromEnd(Predicate<EpochEntry> predicate) {
    List<EpochEntry> removed = new ArrayList<>();
    while (!epochs.isEmpty() && predicate.test(epochs.lastEntry().getValue())) {
      removed.add(0, epochs.pollLastEntry().getValue());
    }
    return removed;
  }

  @Override
  public synchronized String toString() {
    return "LeaderEpochFileCache(" + name + ", " + epochs.values() + ")";
  }
}
