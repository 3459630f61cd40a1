package io.brook.systest.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Class-data-sharing archives (JDK 17 dynamic AppCDS) for the cluster's JVMs: most of a broker's
 * start on a busy 2-core machine is class loading, which a shared archive of the loaded classes
 * roughly halves (measured: a lone broker registered after 1.5-2.5 s without, 0.7-1.6 s with).
 *
 * <p>One archive per kind of process ({@code broker.jsa}, {@code zookeeper.jsa}) in {@code
 * system-tests/target/cds/}, next to a stamp file naming the JDK that wrote it. An archive is used
 * ({@code -XX:SharedArchiveFile}) only when it is newer than every jar in {@code
 * deploy/target/libs} and the stamp names this JDK; otherwise it is deleted and the next cluster's
 * designated process writes a new one at its clean exit ({@code -XX:ArchiveClassesAtExit}, to a
 * private file that {@link #promote} moves into place once that process is gone). The JVM itself
 * checks the class path again and silently runs without the archive on any mismatch ({@code
 * -Xshare:auto}). Off when the system property {@value #DISABLE_PROPERTY} is true.
 *
 * <p>Thread-safe (synchronized); one instance per cluster.
 */
final class CdsArchives {
  private static final Logger log = LogManager.getLogger(CdsArchives.class);
  static final String DISABLE_PROPERTY = "brook.systest.noCds";

  private final Path dir;
  private final Path libs;
  private final boolean enabled;
  private final List<Path[]> pending = new ArrayList<>();

  CdsArchives(RepositoryLayout repo) {
    this.dir = repo.root().resolve("system-tests/target/cds");
    this.libs = repo.libsDir();
    this.enabled = !Boolean.getBoolean(DISABLE_PROPERTY);
  }

  /**
   * The JVM options that make a process of {@code kind} use the archive, or (when there is no valid
   * one and {@code mayWrite}) write it at exit; empty otherwise.
   */
  synchronized String jvmOpts(String kind, boolean mayWrite) {
    if (!enabled) {
      return "";
    }
    try {
      Files.createDirectories(dir);
      Path archive = dir.resolve(kind + ".jsa");
      if (valid(archive)) {
        return "-XX:SharedArchiveFile=" + archive;
      }
      Files.deleteIfExists(archive);
      if (!mayWrite) {
        return "";
      }
      Path temp =
          dir.resolve(
              kind + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".jsa");
      pending.add(new Path[] {temp, archive});
      return "-XX:ArchiveClassesAtExit=" + temp;
    } catch (IOException | RuntimeException e) {
      log.warn("no class-data-sharing archive for {}: {}", kind, e.toString());
      return "";
    }
  }

  /**
   * Moves the archives written by exited processes into place, or only deletes them when {@code
   * complete} is false (a writer was killed, perhaps while writing). Call after they are stopped.
   */
  synchronized void promote(boolean complete) {
    for (Path[] p : pending) {
      Path temp = p[0];
      Path archive = p[1];
      try {
        if (complete && Files.isRegularFile(temp) && Files.size(temp) > 0) {
          Files.writeString(stampOf(archive), jdk(), StandardCharsets.UTF_8);
          Files.move(
              temp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          log.info("class-data-sharing archive {} written", archive);
        } else {
          Files.deleteIfExists(temp);
        }
      } catch (IOException e) {
        log.warn("cannot install class-data-sharing archive {}: {}", archive, e.toString());
      }
    }
    pending.clear();
  }

  private boolean valid(Path archive) throws IOException {
    if (!Files.isRegularFile(archive) || !Files.isRegularFile(stampOf(archive))) {
      return false;
    }
    if (!jdk().equals(Files.readString(stampOf(archive), StandardCharsets.UTF_8))) {
      return false;
    }
    FileTime written = Files.getLastModifiedTime(archive);
    try (Stream<Path> jars = Files.list(libs)) {
      return jars.allMatch(j -> modified(j).compareTo(written) < 0);
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(Long.MAX_VALUE);
    }
  }

  private static Path stampOf(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".jdk");
  }

  private static String jdk() {
    return System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
  }
}
