package io.brook.broker.log.internals;

import java.nio.file.Path;

/**
 * Names of the files in a partition directory. A segment's files are named by its base offset,
 * zero-padded to 20 digits: {@code 00000000000000000000.log}, {@code .index}, {@code .timeindex};
 * producer state snapshots are named by the offset they were taken at ({@code .snapshot}). Suffixes
 * mark files in transition: {@code .deleted} (waiting for file.delete.delay.ms), {@code .cleaned}
 * and {@code .swap} (a compaction in progress), {@code .tmp} (a small file being written).
 */
public final class LogFileNames {
  public static final String LOG_SUFFIX = ".log";
  public static final String INDEX_SUFFIX = ".index";
  public static final String TIME_INDEX_SUFFIX = ".timeindex";
  public static final String DELETED_SUFFIX = ".deleted";
  public static final String CLEANED_SUFFIX = ".cleaned";
  public static final String SWAP_SUFFIX = ".swap";
  public static final String TMP_SUFFIX = ".tmp";
  public static final String SNAPSHOT_SUFFIX = ".snapshot";

  private LogFileNames() {}

  public static String filenamePrefix(long offset) {
    return String.format("%020d", offset);
  }

  public static Path logFile(Path dir, long baseOffset, String suffix) {
    return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX + suffix);
  }

  public static Path offsetIndexFile(Path dir, long baseOffset, String suffix) {
    return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX + suffix);
  }

  public static Path timeIndexFile(Path dir, long baseOffset, String suffix) {
    return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX + suffix);
  }

  /** The producer state snapshot taken at {@code offset} ({@link ProducerSnapshotFile}). */
  public static Path producerSnapshotFile(Path dir, long offset) {
    return dir.resolve(filenamePrefix(offset) + SNAPSHOT_SUFFIX);
  }

  /** The base offset in a segment file's name ({@code 20 digits + suffix}), or -1. */
  public static long offsetFromFileName(String name) {
    int dot = name.indexOf('.');
    if (dot != 20) {
      return -1;
    }
    for (int i = 0; i < dot; i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(name.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
