package io.brook.broker.log.internals;

import io.brook.broker.log.internals.ProducerStateEntry.BatchMetadata;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A producer state snapshot, {@code <20-digit offset>.snapshot}: the state of every producer after
 * the batches below that offset. Big-endian binary:
 *
 * <pre>
 * offset   size     field
 * ------   ------   -----------------------------------------------------------
 * 0        2        version: 1
 * 2        4        CRC-32C of everything after this field
 * 6        4        N: number of producers
 * 10       ...      N producers, each:
 *   +0     8          producer id
 *   +8     2          producer epoch
 *   +10    4          B: number of batches (1..5)
 *   +14    B * 32     batches, oldest first, each:
 *     +0   4            first sequence
 *     +4   4            last sequence
 *     +8   8            first offset
 *     +16  8            last offset
 *     +24  8            max timestamp
 * </pre>
 *
 * Unlike Kafka's snapshot (which keeps only each producer's last batch), all retained batches are
 * kept, so duplicates of any of the last five batches are still recognized after a restart. Written
 * atomically ({@link AtomicFiles}). Stateless.
 */
public final class ProducerSnapshotFile {
  public static final short VERSION = 1;

  static final int VERSION_OFFSET = 0;
  static final int VERSION_LENGTH = 2;
  static final int CRC_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
  static final int CRC_LENGTH = 4;
  static final int COUNT_OFFSET = CRC_OFFSET + CRC_LENGTH;
  static final int COUNT_LENGTH = 4;
  static final int ENTRIES_OFFSET = COUNT_OFFSET + COUNT_LENGTH;
  static final int ENTRY_HEADER_SIZE = 8 + 2 + 4;
  static final int BATCH_SIZE = 4 + 4 + 8 + 8 + 8;

  private ProducerSnapshotFile() {}

  public static void write(Path file, Collection<ProducerStateEntry> entries) throws IOException {
    int size = ENTRIES_OFFSET;
    for (ProducerStateEntry e : entries) {
      size += ENTRY_HEADER_SIZE + e.batches().size() * BATCH_SIZE;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putShort(VERSION_OFFSET, VERSION);
    buf.position(COUNT_OFFSET);
    buf.putInt(entries.size());
    for (ProducerStateEntry e : entries) {
      List<BatchMetadata> batches = e.batches();
      buf.putLong(e.producerId()).putShort(e.producerEpoch()).putInt(batches.size());
      for (BatchMetadata b : batches) {
        buf.putInt(b.firstSeq())
            .putInt(b.lastSeq())
            .putLong(b.firstOffset())
            .putLong(b.lastOffset())
            .putLong(b.timestamp());
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), COUNT_OFFSET, size - COUNT_OFFSET);
    buf.putInt(CRC_OFFSET, (int) crc.getValue());
    AtomicFiles.write(file, buf.array());
  }

  /**
   * The producers in {@code file}.
   *
   * @throws IOException unreadable, or not a valid snapshot (the message says why)
   */
  public static List<ProducerStateEntry> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < ENTRIES_OFFSET) {
      throw corrupt(file, "it has only " + bytes.length + " bytes");
    }
    short version = buf.getShort(VERSION_OFFSET);
    if (version != VERSION) {
      throw corrupt(file, "version " + version + " where " + VERSION + " was expected");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, COUNT_OFFSET, bytes.length - COUNT_OFFSET);
    long stored = Integer.toUnsignedLong(buf.getInt(CRC_OFFSET));
    if (stored != crc.getValue()) {
      throw corrupt(file, "stored CRC-32C " + stored + " but computed " + crc.getValue());
    }
    try {
      buf.position(COUNT_OFFSET);
      int n = buf.getInt();
      if (n < 0) {
        throw corrupt(file, "a producer count of " + n);
      }
      List<ProducerStateEntry> result = new ArrayList<>(Math.min(n, 1024));
      for (int i = 0; i < n; i++) {
        long pid = buf.getLong();
        short epoch = buf.getShort();
        int batches = buf.getInt();
        if (batches < 1 || batches > ProducerStateEntry.NUM_BATCHES_TO_RETAIN) {
          throw corrupt(file, "producer " + pid + " with " + batches + " batches");
        }
        ProducerStateEntry e = new ProducerStateEntry(pid, epoch);
        for (int j = 0; j < batches; j++) {
          e.addBatch(
              epoch,
              new BatchMetadata(
                  buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong()));
        }
        result.add(e);
      }
      if (buf.hasRemaining()) {
        throw corrupt(file, buf.remaining() + " trailing bytes");
      }
      return result;
    } catch (BufferUnderflowException e) {
      throw corrupt(file, "it ends in the middle of an entry");
    }
  }

  private static IOException corrupt(Path file, String why) {
    return new IOException("Producer state snapshot " + file + " is not valid: " + why);
  }
}
