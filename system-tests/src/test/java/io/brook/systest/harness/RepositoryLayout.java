package io.brook.systest.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the checkout's pieces are, found by walking up from {@code user.dir} (Maven runs a module's
 * tests in the module directory) to the directory that holds {@code scripts/brook-server-start.sh}.
 * Immutable.
 */
public record RepositoryLayout(Path root) {

  public static RepositoryLayout find() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/brook-server-start.sh"))) {
        return new RepositoryLayout(p);
      }
    }
    throw new IllegalStateException(
        "no scripts/brook-server-start.sh in " + start + " or any parent: run from the checkout");
  }

  public Path scriptsDir() {
    return root.resolve("scripts");
  }

  /** The jars scripts/ run ({@code mvn package} of brook-deploy fills it). */
  public Path libsDir() {
    return root.resolve("deploy/target/libs");
  }

  /** Parent of every scenario directory: {@code system-tests/target/system-tests}. */
  public Path scenariosDir() {
    return root.resolve("system-tests/target/system-tests");
  }
}
