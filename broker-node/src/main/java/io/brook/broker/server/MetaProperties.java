package io.brook.broker.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code meta.properties} in every log directory: which broker and which cluster the data belongs
 * to, so that a directory is never served by another broker or joined to another cluster by
 * mistake.
 *
 * <p>File format (Java properties): {@code version=0}, {@code broker.id=<int>}, {@code
 * cluster.id=<string>}. Written to a temporary file, fsynced, renamed over the old one, and the
 * directory fsynced. Stateless; called once at broker start.
 */
public final class MetaProperties {
  public static final String FILE_NAME = "meta.properties";

  private MetaProperties() {}

  /** A meta.properties that contradicts the configuration or the cluster. */
  public static final class InconsistentMetaPropertiesException extends RuntimeException {
    InconsistentMetaPropertiesException(String message) {
      super(message);
    }
  }

  /**
   * Checks every log directory's meta.properties against {@code brokerId} and {@code clusterId} and
   * writes it where missing.
   *
   * @throws InconsistentMetaPropertiesException when a directory belongs to another broker or
   *     cluster
   */
  public static void ensure(List<Path> logDirs, int brokerId, String clusterId) {
    for (Path dir : logDirs) {
      try {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Optional<Properties> existing = read(file);
        if (existing.isPresent()) {
          String id = existing.get().getProperty("broker.id");
          String cluster = existing.get().getProperty("cluster.id");
          if (id != null && !id.trim().equals(String.valueOf(brokerId))) {
            throw new InconsistentMetaPropertiesException(
                "The log directory "
                    + dir
                    + " belongs to broker.id="
                    + id.trim()
                    + " (its "
                    + FILE_NAME
                    + "), but this broker is configured with broker.id="
                    + brokerId
                    + ". Fix broker.id or log.dirs.");
          }
          if (cluster != null && !cluster.trim().equals(clusterId)) {
            throw new InconsistentMetaPropertiesException(
                "The log directory "
                    + dir
                    + " belongs to cluster "
                    + cluster.trim()
                    + " (its "
                    + FILE_NAME
                    + "), but ZooKeeper at zookeeper.connect holds cluster "
                    + clusterId
                    + ". Fix zookeeper.connect (chroot?) or log.dirs.");
          }
          if (id != null && cluster != null) {
            continue;
          }
        }
        write(dir, file, brokerId, clusterId);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not read or write " + dir.resolve(FILE_NAME), e);
      }
    }
  }

  private static Optional<Properties> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return Optional.of(p);
  }

  private static void write(Path dir, Path file, int brokerId, String clusterId)
      throws IOException {
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    String content =
        "#Written by Brook; do not edit\nversion=0\nbroker.id="
            + brokerId
            + "\ncluster.id="
            + clusterId
            + "\n";
    try (FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
      out.flush();
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }
}
