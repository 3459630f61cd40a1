package io.brook.systest.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One scenario's directory, {@code system-tests/target/system-tests/<scenario>-<timestamp>/}: the
 * cluster's configs, data directories and process output, and whatever the scenario saves
 * (histories). Deleted when the scenario passed, kept (and its path printed) when it failed:
 *
 * <pre>{@code
 * ScenarioDir dir = ScenarioDir.create("kill-leader");
 * boolean passed = false;
 * try (ProcessCluster cluster = ProcessCluster.start(dir.path(), options)) {
 *   ...
 *   passed = true;
 * } finally {
 *   dir.finish(passed);
 * }
 * }</pre>
 *
 * <p>Not thread-safe; one owner.
 */
public final class ScenarioDir {
  /** System property: when true, directories are kept also when the scenario passed. */
  public static final String KEEP_PROPERTY = "brook.systest.keepDirs";

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final Path path;
  private boolean finished;
  private boolean kept;

  private ScenarioDir(Path path) {
    this.path = path;
  }

  /** Creates a fresh directory for {@code scenario} (a file-name-safe name). */
  public static ScenarioDir create(String scenario) {
    return create(RepositoryLayout.find().scenariosDir(), scenario);
  }

  static ScenarioDir create(Path parent, String scenario) {
    String safe = scenario.replaceAll("[^A-Za-z0-9._-]", "_");
    Path p = parent.resolve(safe + "-" + LocalDateTime.now().format(STAMP)).toAbsolutePath();
    try {
      Files.createDirectories(p.getParent());
      Files.createDirectory(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create scenario directory " + p, e);
    }
    return new ScenarioDir(p);
  }

  public Path path() {
    return path;
  }

  /**
   * Ends the scenario: deletes the directory when it {@code passed} (unless the system property
   * {@value #KEEP_PROPERTY} is true), else keeps it and prints {@code KEPT scenario directory:
   * <path>} on standard error. Only the first call acts.
   *
   * @return the path when kept (by this or the first call), else null
   */
  public Path finish(boolean passed) {
    if (finished) {
      return kept ? path : null;
    }
    finished = true;
    kept = !passed || Boolean.getBoolean(KEEP_PROPERTY);
    if (!kept) {
      deleteRecursively(path);
      return null;
    }
    System.err.println("KEPT scenario directory (logs, histories, data): " + path);
    return path;
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
