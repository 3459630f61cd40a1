package io.brook.systest.workload;

import io.brook.common.TopicPartition;
import io.brook.systest.check.DumpLogParser;
import io.brook.systest.check.DumpLogParser.DumpedFile;
import io.brook.systest.check.ReplicaLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads every replica of the given partitions from its broker's own files: for each broker, one run
 * of the dump tool over all {@code .log} segments of those partitions, parsed into a {@link
 * ReplicaLog} per partition. Partition directories are {@code <log.dir>/<topic>-<partition>/},
 * segments {@code <20-digit base offset>.log} (see the broker's LogFileNames), dumped in offset
 * order. A broker without a directory (or segments) for a partition yields an empty replica, which
 * the checker compares like any other. Stateless.
 */
public final class ReplicaDumps {
  private static final Pattern SEGMENT = Pattern.compile("\\d{20}\\.log");

  private ReplicaDumps() {}

  /**
   * @param logDirs each broker's {@code log.dirs} directory
   * @param partitions the partitions to read
   * @throws Exception if the dump tool fails or its output cannot be parsed
   */
  public static List<ReplicaLog> dump(
      Map<Integer, Path> logDirs, Collection<TopicPartition> partitions, LogDumper dumper)
      throws Exception {
    List<ReplicaLog> out = new ArrayList<>();
    for (var broker : logDirs.entrySet()) {
      int brokerId = broker.getKey();
      Map<String, TopicPartition> byDirName = new LinkedHashMap<>();
      List<Path> files = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        String dirName = tp.topic() + "-" + tp.partition();
        byDirName.put(dirName, tp);
        files.addAll(segments(broker.getValue().resolve(dirName)));
      }
      Map<TopicPartition, List<DumpedFile>> dumped = new HashMap<>();
      if (!files.isEmpty()) {
        String output = dumper.dump(brokerId, files);
        for (DumpedFile f : DumpLogParser.parse(output)) {
          Path parent = Path.of(f.path()).getParent();
          TopicPartition tp =
              parent == null ? null : byDirName.get(parent.getFileName().toString());
          if (tp == null) {
            throw new IllegalStateException(
                "the dump of broker "
                    + brokerId
                    + " names a file that was not asked for: "
                    + f.path());
          }
          dumped.computeIfAbsent(tp, x -> new ArrayList<>()).add(f);
        }
      }
      for (TopicPartition tp : partitions) {
        List<DumpedFile> fs = dumped.get(tp);
        out.add(fs == null ? ReplicaLog.empty(brokerId, tp) : ReplicaLog.of(brokerId, tp, fs));
      }
    }
    return out;
  }

  /** The partition directory's segments in offset order (names sort as their offsets). */
  static List<Path> segments(Path partitionDir) throws IOException {
    if (!Files.isDirectory(partitionDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(partitionDir)) {
      return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
          .map(Path::toAbsolutePath)
          .sorted()
          .toList();
    }
  }
}
