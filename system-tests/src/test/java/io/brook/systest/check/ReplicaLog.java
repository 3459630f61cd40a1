package io.brook.systest.check;

import io.brook.common.TopicPartition;
import io.brook.systest.check.DumpLogParser.DumpedBatch;
import io.brook.systest.check.DumpLogParser.DumpedFile;
import io.brook.systest.check.DumpLogParser.DumpedRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One replica's log as read from its own segment files by the dump tool: the valid records by
 * offset, plus what could not be read. Immutable.
 *
 * <p>{@code records} holds only records of readable batches ({@code isvalid: true} and no {@code |
 * corrupt records} line); when two valid batches claim the same offset (which a healthy log never
 * has) the later one in file order wins and {@code overlappingOffsets} counts the clash. {@code
 * invalidBatches} are the batches that failed their CRC or whose records could not be read (their
 * offsets come from a header that may itself be corrupt), {@code invalidTailBytes} the total of the
 * "Found N invalid bytes" reports of the replica's files.
 *
 * @param brokerId the broker holding the replica
 * @param files the dumped files, in the order dumped (segment order)
 */
public record ReplicaLog(
    int brokerId,
    TopicPartition tp,
    List<String> files,
    NavigableMap<Long, String> records,
    List<DumpedBatch> invalidBatches,
    long invalidTailBytes,
    int overlappingOffsets) {

  public ReplicaLog {
    files = List.copyOf(files);
    records = Collections.unmodifiableNavigableMap(new TreeMap<>(records));
    invalidBatches = List.copyOf(invalidBatches);
  }

  /** A replica whose partition directory holds no segment (or does not exist). */
  public static ReplicaLog empty(int brokerId, TopicPartition tp) {
    return new ReplicaLog(brokerId, tp, List.of(), new TreeMap<>(), List.of(), 0, 0);
  }

  /** The replica made of {@code files}, which must be all segments of one partition, in order. */
  public static ReplicaLog of(int brokerId, TopicPartition tp, List<DumpedFile> files) {
    NavigableMap<Long, String> records = new TreeMap<>();
    List<DumpedBatch> invalid = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    long invalidTail = 0;
    int overlapping = 0;
    for (DumpedFile f : files) {
      paths.add(f.path());
      invalidTail += f.invalidTailBytes();
      for (DumpedBatch b : f.batches()) {
        if (!b.readable()) {
          invalid.add(b);
          continue;
        }
        for (DumpedRecord r : b.records()) {
          if (records.put(r.offset(), r.payload()) != null) {
            overlapping++;
          }
        }
      }
    }
    return new ReplicaLog(brokerId, tp, paths, records, invalid, invalidTail, overlapping);
  }

  /** The offset after the last valid record, or 0 when there is none. */
  public long logEndOffset() {
    return records.isEmpty() ? 0 : records.lastKey() + 1;
  }

  @Override
  public String toString() {
    return "replica of "
        + tp
        + " on broker "
        + brokerId
        + " ("
        + records.size()
        + " records, "
        + invalidBatches.size()
        + " invalid batches, "
        + invalidTailBytes
        + " invalid tail bytes)";
  }
}
