package io.brook.systest.harness;

/** The outcome of {@link ProcessCluster#runScript}: exit code and the whole output. Immutable. */
public record ScriptResult(int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }
}
