package io.brook.broker.log.internals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code leader-epoch-checkpoint} file of one partition directory, in Kafka's text format:
 *
 * <pre>
 * line   content                 notes
 * ----   ---------------------   ------------------------------------------------
 * 1      version                 0
 * 2      N                       number of entries
 * 3..    epoch SP startOffset    N lines, epochs and start offsets increasing, both >= 0
 * </pre>
 *
 * Lines end with '\n'. The file is replaced atomically ({@link AtomicFiles}). {@link #read} refuses
 * anything else with an IOException naming the file, the line and what was expected.
 *
 * <p>Thread-safe: {@link #write} and {@link #read} are serialized on this object.
 */
public final class LeaderEpochCheckpointFile {
  public static final String FILE_NAME = "leader-epoch-checkpoint";
  public static final int VERSION = 0;

  /** One line: the first offset written under {@code epoch}. */
  public record EpochEntry(int epoch, long startOffset) {
    @Override
    public String toString() {
      return "EpochEntry(epoch=" + epoch + ", startOffset=" + startOffset + ")";
    }
  }

  private final Path file;

  public LeaderEpochCheckpointFile(Path file) {
    this.file = file;
  }

  public static LeaderEpochCheckpointFile in(Path partitionDir) {
    return new LeaderEpochCheckpointFile(partitionDir.resolve(FILE_NAME));
  }

  public Path file() {
    return file;
  }

  public synchronized void write(List<EpochEntry> entries) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(VERSION).append('\n').append(entries.size()).append('\n');
    for (EpochEntry e : entries) {
      sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
    }
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The entries, or empty when the file does not exist. */
  public synchronized Optional<List<EpochEntry>> read() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || !lines.get(0).trim().equals(Integer.toString(VERSION))) {
      throw malformed(1, lines.isEmpty() ? "" : lines.get(0), "version " + VERSION);
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
    List<EpochEntry> result = new ArrayList<>(count);
    for (int i = 2; i < lines.size(); i++) {
      String line = lines.get(i);
      String[] parts = line.trim().split(" ");
      if (parts.length != 2) {
        throw malformed(i + 1, line, "\"epoch startOffset\"");
      }
      try {
        int epoch = Integer.parseInt(parts[0]);
        long offset = Long.parseLong(parts[1]);
        if (epoch < 0 || offset < 0) {
          throw malformed(i + 1, line, "a non-negative epoch and start offset");
        }
        result.add(new EpochEntry(epoch, offset));
      } catch (NumberFormatException e) {
        throw malformed(i + 1, line, "\"epoch startOffset\" with numbers");
      }
    }
    return Optional.of(result);
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
