package io.brook.broker.log.internals;

import io.brook.common.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A per-log-directory file mapping partitions to offsets ({@code recovery-point-offset-checkpoint},
 * {@code replication-offset-checkpoint}, {@code log-start-offset-checkpoint}), in Kafka's text
 * format, so its tools and habits apply:
 *
 * <pre>
 * line   content                       notes
 * ----   ---------------------------   ------------------------------------------------
 * 1      version                       0
 * 2      N                             number of entries
 * 3..    topic SP partition SP offset  N lines; topic as in the directory name, offset >= 0
 * </pre>
 *
 * Lines end with '\n'. The file is replaced atomically ({@link AtomicFiles}). {@link #read} refuses
 * anything else with an IOException naming the file, the line and what was expected.
 *
 * <p>Thread-safe: {@link #write} and {@link #read} are serialized on this object.
 */
public final class OffsetCheckpointFile {
  public static final int VERSION = 0;

  private final Path file;

  public OffsetCheckpointFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public synchronized void write(Map<TopicPartition, Long> offsets) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(VERSION).append('\n').append(offsets.size()).append('\n');
    for (Map.Entry<TopicPartition, Long> e : new TreeMap<>(offsets).entrySet()) {
      sb.append(e.getKey().topic())
          .append(' ')
          .append(e.getKey().partition())
          .append(' ')
          .append(e.getValue())
          .append('\n');
    }
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The entries, or an empty map when the file does not exist. */
  public synchronized Map<TopicPartition, Long> read() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    }
    if (lines.isEmpty()) {
      throw malformed(1, "", "a version line");
    }
    if (!lines.get(0).trim().equals(Integer.toString(VERSION))) {
      throw malformed(1, lines.get(0), "version " + VERSION);
    }
    if (lines.size() < 2) {
      throw malformed(2, "", "an entry count");
    }
    int count;
    try {
      count = Integer.parseInt(lines.get(1).trim());
    } catch (NumberFormatException e) {
      throw malformed(2, lines.get(1), "an entry count");
    }
    if (count < 0 || lines.size() - 2 != count) {
      throw new IOException(
          "Malformed checkpoint file "
              + file
              + ": it announces "
              + count
              + " entries but holds "
              + (lines.size() - 2)
              + " lines after the header");
    }
    Map<TopicPartition, Long> result = new TreeMap<>();
    for (int i = 2; i < lines.size(); i++) {
      String line = lines.get(i);
      String[] parts = line.trim().split(" ");
      if (parts.length != 3) {
        throw malformed(i + 1, line, "\"topic partition offset\"");
      }
      try {
        int partition = Integer.parseInt(parts[1]);
        long offset = Long.parseLong(parts[2]);
        if (partition < 0 || offset < 0 || parts[0].isEmpty()) {
          throw malformed(i + 1, line, "a non-negative partition and offset");
        }
        result.put(new TopicPartition(parts[0], partition), offset);
      } catch (NumberFormatException e) {
        throw malformed(i + 1, line, "\"topic partition offset\" with numbers");
      }
    }
    return result;
  }

  private IOException malformed(int lineNo, String line, String expected) {
    return new IOException(
        "Malformed checkpoint file "
            + file
            + " at line "
            + lineNo
            + ": expected "
            + expected
            + " but found \""
            + line
            + "\"");
  }
}
