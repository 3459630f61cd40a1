package io.brook.broker.group;

import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads one partition of {@code __consumer_offsets} from its log start offset to its log end offset
 * (Kafka's {@code GroupMetadataManager.doLoadGroupsAndOffsets}) and keeps the last value of every
 * key: a later record replaces an earlier one, a tombstone removes the key. Reads at most {@code
 * offsets.load.buffer.size} bytes at a time (a larger single batch is still read whole). Control
 * batches are skipped; a record that cannot be decoded is skipped with a WARN (its batch passed the
 * CRC, so it is a writer's bug, and the other groups of the partition must still load).
 *
 * <p>The partition is compacted, so its log has offset gaps, batches that end past their last
 * remaining record (a producer batch keeps its last offset) and batches with no records: reads move
 * on by the next offset of the last batch read, never by a record's offset + 1.
 *
 * <p>Reads the log up to its end, not only up to the high watermark, as Kafka does: the new leader
 * of the partition holds everything the old one acknowledged, and what it holds above the high
 * watermark was written by a coordinator of this partition.
 *
 * <p>Stateless; one call reads one log. The log may take appends meanwhile (only what was there
 * when the read began is loaded).
 */
public final class GroupLoader {
  private static final Logger log = LogManager.getLogger(GroupLoader.class);

  private GroupLoader() {}

  /**
   * Loads the groups and offsets of {@code partitionLog}.
   *
   * @param loadBufferSize offsets.load.buffer.size: bytes per read
   * @param cancelled checked between reads; when true the load stops and returns empty
   * @return what the partition holds, or empty when cancelled
   */
  public static Optional<GroupStore.LoadedPartition> load(
      Log partitionLog, int loadBufferSize, BooleanSupplier cancelled) {
    TopicPartition tp = partitionLog.topicPartition();
    long end = partitionLog.logEndOffset();
    long offset = partitionLog.logStartOffset();
    Map<String, GroupMetadataValue> groups = new HashMap<>();
    Map<String, Map<TopicPartition, OffsetCommitValue>> offsets = new HashMap<>();
    // Keys are independent, as compaction treats them: a group's tombstone does not remove its
    // offsets (deleting a group writes a tombstone for each of them too).
    int skipped = 0;
    long records = 0;
    while (offset < end) {
      if (cancelled.getAsBoolean()) {
        return Optional.empty();
      }
      FetchDataInfo data = partitionLog.read(offset, Math.max(1, loadBufferSize), end, true);
      ByteBuffer bytes = data.records();
      if (!bytes.hasRemaining()) {
        break; // the log was truncated under the read, or holds nothing more below end
      }
      long next = offset;
      for (RecordBatch batch : RecordBatches.of(bytes)) {
        next = Math.max(next, batch.nextOffset());
        if (batch.isControlBatch()) {
          continue;
        }
        for (Record r : batch) {
          if (r.offset() < offset) {
            continue;
          }
          records++;
          GroupStore.GroupRecord decoded;
          try {
            decoded = GroupRecordCodec.decode(r.key(), r.value());
          } catch (GroupRecordCodec.MalformedGroupRecordException e) {
            skipped++;
            log.warn(
                "Skipping record at offset {} of {} that is not a group record: {}",
                r.offset(),
                tp,
                e.getMessage());
            continue;
          }
          apply(decoded, groups, offsets);
        }
      }
      if (next <= offset) {
        break; // no progress: nothing readable (cannot happen with a sane log)
      }
      offset = next;
    }
    Map<String, Map<TopicPartition, OffsetCommitValue>> frozen = new LinkedHashMap<>();
    offsets.forEach(
        (g, m) -> {
          if (!m.isEmpty()) {
            frozen.put(g, Map.copyOf(m));
          }
        });
    log.debug(
        "Read {} records of {} up to offset {}: {} groups, {} with offsets, {} skipped",
        records,
        tp,
        end,
        groups.size(),
        frozen.size(),
        skipped);
    return Optional.of(
        new GroupStore.LoadedPartition(tp.partition(), Map.copyOf(groups), Map.copyOf(frozen)));
  }

  private static void apply(
      GroupStore.GroupRecord record,
      Map<String, GroupMetadataValue> groups,
      Map<String, Map<TopicPartition, OffsetCommitValue>> offsets) {
    if (record instanceof GroupStore.GroupRecord.OffsetCommit c) {
      if (c.value() == null) {
        Map<TopicPartition, OffsetCommitValue> m = offsets.get(c.groupId());
        if (m != null) {
          m.remove(c.partition());
        }
      } else {
        offsets.computeIfAbsent(c.groupId(), g -> new HashMap<>()).put(c.partition(), c.value());
      }
    } else {
      GroupStore.GroupRecord.GroupMetadata g = (GroupStore.GroupRecord.GroupMetadata) record;
      if (g.value() == null) {
        groups.remove(g.groupId());
      } else {
        groups.put(g.groupId(), g.value());
      }
    }
  }
}
