package io.brook.systest;

import io.brook.common.TopicPartition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Damages a stopped broker's segment files the way disks and crashes do: a bit flipped inside a
 * batch's CRC-covered records, or a segment cut short in the middle of a batch. Only the last
 * segment of a partition is touched: after an unclean shutdown the broker re-validates from the
 * segment holding its recovery point, so damage there is what recovery must find (damage below the
 * recovery point is, as in Kafka, found only by readers checking CRCs).
 *
 * <p>Batch framing (Kafka's magic 2, see {@code RecordBatch}): base offset (8 bytes), batch length
 * (4, bytes after this field), then 49 more header bytes before the records; the CRC covers
 * everything from the attributes (offset 21) to the end.
 */
final class SegmentCorruption {
  private static final Logger LOG = LogManager.getLogger(SegmentCorruption.class);
  private static final int LOG_OVERHEAD = 12;
  private static final int HEADER_SIZE = 61;

  private SegmentCorruption() {}

  /** Flips one bit in the records of the batch at the middle of the partition's last segment. */
  static void flipBitInLastSegment(Path logDir, TopicPartition tp) throws IOException {
    Path segment = lastSegment(logDir, tp);
    long[] batch = batchAtMiddle(segment);
    long position = batch[0] + HEADER_SIZE + (batch[1] - HEADER_SIZE) / 2;
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0x10);
    }
    LOG.info("flipped a bit at byte {} of {} (batch at {})", position, segment, batch[0]);
  }

  /** Cuts the partition's last segment short in the middle of its middle batch's header. */
  static void truncateLastSegment(Path logDir, TopicPartition tp) throws IOException {
    Path segment = lastSegment(logDir, tp);
    long[] batch = batchAtMiddle(segment);
    long size = batch[0] + 30;
    try (FileChannel ch = FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
    LOG.info("truncated {} to {} bytes (mid-batch at {})", segment, size, batch[0]);
  }

  private static Path lastSegment(Path logDir, TopicPartition tp) throws IOException {
    Path dir = logDir.resolve(tp.topic() + "-" + tp.partition());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> logs =
          files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
      if (logs.isEmpty()) {
        throw new IllegalStateException("no segment in " + dir);
      }
      return logs.get(logs.size() - 1);
    }
  }

  /** {start, total size} of the batch that holds the segment's middle byte. */
  private static long[] batchAtMiddle(Path segment) throws IOException {
    try (FileChannel ch = FileChannel.open(segment)) {
      long size = ch.size();
      long middle = size / 2;
      ByteBuffer head = ByteBuffer.allocate(LOG_OVERHEAD);
      long position = 0;
      while (position + LOG_OVERHEAD <= size) {
        head.clear();
        ch.read(head, position);
        int length = head.getInt(8);
        long total = LOG_OVERHEAD + (long) length;
        if (length < HEADER_SIZE - LOG_OVERHEAD || position + total > size) {
          break;
        }
        if (position + total > middle) {
          return new long[] {position, total};
        }
        position += total;
      }
      throw new IllegalStateException(
          segment + " (" + size + " bytes) has no complete batch to damage");
    }
  }
}
