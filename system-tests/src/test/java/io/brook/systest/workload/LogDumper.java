package io.brook.systest.workload;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@code brook-dump-log.sh --files F1,F2,... --print-data-log} for one broker's segment files
 * and returns its standard output (format: {@link io.brook.systest.check.DumpLogParser}). The
 * scenario wires it to the cluster harness ({@code runScript("brook-dump-log.sh", ...)}); {@link
 * ScriptLogDumper} runs the script directly.
 *
 * <p>Implementations must fail (throw) when the tool exits non-zero, rather than return partial
 * output the checker would take for a short log.
 */
@FunctionalInterface
public interface LogDumper {
  /**
   * @param brokerId whose files these are (for messages and per-broker scripts)
   * @param logFiles absolute paths of {@code .log} segments, partition by partition, each
   *     partition's segments in offset order; never empty
   */
  String dump(int brokerId, List<Path> logFiles) throws Exception;

  /** The arguments for the dump tool: {@code --files F1,F2,... --print-data-log}. */
  static List<String> arguments(List<Path> logFiles) {
    StringBuilder files = new StringBuilder();
    for (Path f : logFiles) {
      if (files.length() > 0) {
        files.append(',');
      }
      files.append(f.toAbsolutePath());
    }
    return List.of("--files", files.toString(), "--print-data-log");
  }
}
