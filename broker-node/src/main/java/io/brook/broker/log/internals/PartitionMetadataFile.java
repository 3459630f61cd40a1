package io.brook.broker.log.internals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * {@code partition.metadata} in a partition directory: which topic (by id) the directory belongs
 * to, so that a topic deleted and re-created under the same name is not confused with the old one.
 *
 * <pre>
 * line  content               notes
 * ----  --------------------  ---------------------------------------------
 * 1     version: 0
 * 2     topic_id: UUID        java.util.UUID's text form (8-4-4-4-12 hex)
 * </pre>
 *
 * Written atomically ({@link AtomicFiles}). Stateless apart from the path; thread-safe.
 */
public final class PartitionMetadataFile {
  public static final String FILE_NAME = "partition.metadata";

  private final Path file;

  public PartitionMetadataFile(Path partitionDir) {
    this.file = partitionDir.resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  public boolean exists() {
    return Files.exists(file);
  }

  public void write(UUID topicId) throws IOException {
    String content = "version: 0\ntopic_id: " + topicId + "\n";
    AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  /** The topic id. @throws IOException when the file is missing or malformed */
  public UUID read() throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.size() < 2 || !lines.get(0).trim().equals("version: 0")) {
      throw new IOException(
          "Malformed " + file + ": expected \"version: 0\" then \"topic_id: <uuid>\"");
    }
    String line = lines.get(1).trim();
    if (!line.startsWith("topic_id:")) {
      throw new IOException("Malformed " + file + ": expected \"topic_id: <uuid>\", found " + line);
    }
    try {
      return UUID.fromString(line.substring("topic_id:".length()).trim());
    } catch (IllegalArgumentException e) {
      throw new IOException("Malformed " + file + ": bad topic id in " + line, e);
    }
  }
}
