package io.brook.broker.log.internals;

import io.brook.broker.log.InvalidProducerEpochException;
import io.brook.broker.log.OutOfOrderSequenceException;
import io.brook.broker.log.internals.ProducerStateEntry.BatchMetadata;
import io.brook.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The idempotent producers of one partition's log (Kafka's ProducerStateManager, without
 * transactions): per producer id its epoch and last batches ({@link ProducerStateEntry}), built
 * from batch headers only.
 *
 * <p>Leader appends are checked with {@link #checkLeaderAppend} before offsets are assigned: a
 * retried batch (same epoch, same first and last sequence as one of the last five) is reported as a
 * duplicate; an older epoch is refused ({@link InvalidProducerEpochException}); a new epoch must
 * start at sequence 0 and the same epoch must continue at last sequence + 1, wrapping after
 * Integer.MAX_VALUE ({@link OutOfOrderSequenceException}); an unknown producer may start anywhere.
 * Every appended batch, leader's or follower's, is then applied with {@link #update}.
 *
 * <p>Snapshots ({@link ProducerSnapshotFile}) hold the state after the batches below their offset;
 * the log takes one at each roll (at the new segment's base offset) and at close, and reloads from
 * the latest one then replays the batch headers after it.
 *
 * <p>Invariants: the state reflects exactly the batches below {@link #mapEndOffset()} (or, when it
 * is -1, none yet); {@link #snapshotOffsets()} names the snapshot files in the directory.
 *
 * <p>Not thread-safe: every method is called under the owning log's lock.
 */
public final class ProducerStateManager {
  private static final Logger log = LogManager.getLogger(ProducerStateManager.class);

  private final Path dir;
  private final String name;
  private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
  private final TreeSet<Long> snapshots = new TreeSet<>();
  private long mapEndOffset = -1L;

  /** Lists the snapshot files in {@code dir}; the state starts empty. */
  public ProducerStateManager(Path dir, String name) throws IOException {
    this.dir = dir;
    this.name = name;
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(dir, "*" + LogFileNames.SNAPSHOT_SUFFIX)) {
      for (Path p : ds) {
        long offset = LogFileNames.offsetFromFileName(p.getFileName().toString());
        if (offset >= 0) {
          snapshots.add(offset);
        }
      }
    }
  }

  /** The offset below which every batch has been applied, or -1 before any was. */
  public long mapEndOffset() {
    return mapEndOffset;
  }

  /** Records that every batch below {@code offset} has been applied. */
  public void updateMapEndOffset(long offset) {
    mapEndOffset = offset;
  }

  /** The state of {@code producerId}, or null when it is unknown. */
  public ProducerStateEntry lastEntry(long producerId) {
    return producers.get(producerId);
  }

  /** A copy of every producer's state. */
  public Map<Long, ProducerStateEntry> activeProducers() {
    return new HashMap<>(producers);
  }

  /** Offsets of the snapshot files, ascending. */
  public NavigableSet<Long> snapshotOffsets() {
    return new TreeSet<>(snapshots);
  }

  // ------------------------------------------------------------------ append

  /**
   * Checks the batches of a leader append (position to limit of {@code batches}, whole and
   * validated) against the state, reading only their headers.
   *
   * @param firstOffset the offset the first batch will get (for messages)
   * @return the original batch when a batch is a retry of one already in the log (then nothing is
   *     to be appended), else null
   * @throws InvalidProducerEpochException a batch of an older epoch than the producer's
   * @throws OutOfOrderSequenceException a batch that does not continue its producer's sequence
   */
  public BatchMetadata checkLeaderAppend(ByteBuffer batches, long firstOffset) {
    Map<Long, long[]> pending = null; // producer id -> {epoch, last sequence} within this append
    long offset = firstOffset;
    for (int pos = batches.position(); pos < batches.limit(); ) {
      BatchHeader h = BatchHeader.read(batches, pos, pos);
      pos += h.size();
      long batchOffset = offset;
      offset = batchOffset + (h.lastOffset() - h.baseOffset()) + 1;
      if (!h.hasProducerId()) {
        continue;
      }
      ProducerStateEntry current = producers.get(h.producerId());
      if (current != null) {
        BatchMetadata dup =
            current.findDuplicate(h.producerEpoch(), h.baseSequence(), h.lastSequence());
        if (dup != null) {
          return dup;
        }
      }
      long[] p = pending == null ? null : pending.get(h.producerId());
      short knownEpoch =
          p != null
              ? (short) p[0]
              : current != null ? current.producerEpoch() : RecordBatch.NO_PRODUCER_EPOCH;
      int lastSeq = p != null ? (int) p[1] : current != null ? current.lastSeq() : -1;
      checkEpochAndSequence(h, knownEpoch, lastSeq, batchOffset);
      if (pending == null) {
        pending = new HashMap<>(2);
      }
      pending.put(h.producerId(), new long[] {h.producerEpoch(), h.lastSequence()});
    }
    return null;
  }

  private void checkEpochAndSequence(BatchHeader h, short knownEpoch, int lastSeq, long offset) {
    if (h.producerEpoch() < knownEpoch) {
      throw new InvalidProducerEpochException(
          "Epoch of producer "
              + h.producerId()
              + " at offset "
              + offset
              + " in "
              + name
              + " is "
              + h.producerEpoch()
              + ", which is smaller than the last seen epoch "
              + knownEpoch);
    }
    if (h.producerEpoch() != knownEpoch) {
      if (h.baseSequence() != 0 && knownEpoch != RecordBatch.NO_PRODUCER_EPOCH) {
        throw new OutOfOrderSequenceException(
            "Invalid sequence number for new epoch of producer "
                + h.producerId()
                + " at offset "
                + offset
                + " in partition "
                + name
                + ": "
                + h.producerEpoch()
                + " (request epoch), "
                + h.baseSequence()
                + " (seq. number), "
                + knownEpoch
                + " (current producer epoch)");
      }
    } else if (knownEpoch != RecordBatch.NO_PRODUCER_EPOCH
        && !inSequence(lastSeq, h.baseSequence())) {
      throw new OutOfOrderSequenceException(
          "Out of order sequence number for producer "
              + h.producerId()
              + " at offset "
              + offset
              + " in partition "
              + name
              + ": "
              + h.baseSequence()
              + " (incoming seq. number), "
              + lastSeq
              + " (current end sequence number)");
    }
  }

  private static boolean inSequence(int lastSeq, int nextSeq) {
    return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
  }

  /**
   * Applies one appended batch (offsets assigned). Batches without a producer id only move the map
   * end offset.
   */
  public void update(BatchHeader h) {
    if (h.hasProducerId()) {
      ProducerStateEntry e =
          producers.computeIfAbsent(
              h.producerId(), id -> new ProducerStateEntry(id, h.producerEpoch()));
      if (h.producerEpoch() < e.producerEpoch()) {
        log.warn(
            "{}: batch at offset {} has epoch {} of producer {}, older than the known {};"
                + " following the leader",
            name,
            h.baseOffset(),
            h.producerEpoch(),
            h.producerId(),
            e.producerEpoch());
      }
      e.addBatch(
          h.producerEpoch(),
          new BatchMetadata(
              h.baseSequence(),
              h.lastSequence(),
              h.baseOffset(),
              h.lastOffset(),
              h.maxTimestamp()));
    }
    mapEndOffset = h.nextOffset();
  }

  /** {@link #update} for every batch in {@code batches} (position to limit). */
  public void update(ByteBuffer batches) {
    for (int pos = batches.position(); pos < batches.limit(); ) {
      BatchHeader h = BatchHeader.read(batches, pos, pos);
      update(h);
      pos += h.size();
    }
  }

  /**
   * Forgets producers whose last batch is at least {@code expirationMs} older than {@code nowMs}
   * (producer.id.expiration.ms).
   *
   * @return how many were removed
   */
  public int removeExpiredProducers(long nowMs, long expirationMs) {
    int removed = 0;
    for (Iterator<ProducerStateEntry> it = producers.values().iterator(); it.hasNext(); ) {
      ProducerStateEntry e = it.next();
      if (nowMs - e.lastTimestamp() >= expirationMs) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  // ------------------------------------------------------------------ snapshots

  /** Writes a snapshot at {@link #mapEndOffset()} (nothing before any batch was applied). */
  public void takeSnapshot() throws IOException {
    if (mapEndOffset < 0) {
      return;
    }
    ProducerSnapshotFile.write(
        LogFileNames.producerSnapshotFile(dir, mapEndOffset), producers.values());
    snapshots.add(mapEndOffset);
  }

  /**
   * Replaces the state with the latest readable snapshot at or below {@code maxOffset} (invalid
   * ones are deleted); with none, the state is empty and the map end offset -1.
   */
  public void loadLatestSnapshot(long maxOffset) throws IOException {
    producers.clear();
    mapEndOffset = -1L;
    Long offset = snapshots.floor(maxOffset);
    while (offset != null) {
      Path file = LogFileNames.producerSnapshotFile(dir, offset);
      try {
        List<ProducerStateEntry> entries = ProducerSnapshotFile.read(file);
        for (ProducerStateEntry e : entries) {
          producers.put(e.producerId(), e);
        }
        mapEndOffset = offset;
        log.debug("{}: loaded {} producer(s) from snapshot {}", name, entries.size(), offset);
        return;
      } catch (IOException e) {
        log.warn("{}: deleting unusable producer snapshot: {}", name, e.getMessage());
        deleteSnapshot(offset);
      }
      offset = snapshots.floor(offset - 1);
    }
  }

  /** Deletes the snapshot at {@code offset}, if any. */
  public void deleteSnapshot(long offset) throws IOException {
    if (snapshots.remove(offset)) {
      Files.deleteIfExists(LogFileNames.producerSnapshotFile(dir, offset));
    }
  }

  /** Deletes the snapshots above {@code offset} (the log was truncated to end there). */
  public void deleteSnapshotsAbove(long offset) throws IOException {
    for (long o : new TreeSet<>(snapshots.tailSet(offset, false))) {
      deleteSnapshot(o);
    }
  }

  /** Deletes every snapshot and forgets every producer; the state starts at {@code offset}. */
  public void truncateFullyAndStartAt(long offset) throws IOException {
    for (long o : new TreeSet<>(snapshots)) {
      deleteSnapshot(o);
    }
    producers.clear();
    mapEndOffset = offset;
  }

  @Override
  public String toString() {
    return "ProducerStateManager("
        + name
        + ", mapEndOffset="
        + mapEndOffset
        + ", producers="
        + producers.size()
        + ", snapshots="
        + snapshots
        + ")";
  }
}
