package io.brook.systest.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.TopicPartition;
import io.brook.systest.check.ReplicaLog;
import io.brook.systest.check.ValueCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica dump over fabricated directories and a fake dump tool printing the format. */
class ReplicaDumpsTest {
  @TempDir Path dir;

  private static final TopicPartition T0 = new TopicPartition("acks-all", 0);
  private static final TopicPartition T1 = new TopicPartition("acks-all", 1);

  /** Prints one valid one-record batch per segment, the record's offset being the base offset. */
  private static String fakeDump(List<Path> files) {
    StringBuilder sb = new StringBuilder();
    for (Path f : files) {
      String name = f.getFileName().toString();
      long base = Long.parseLong(name.substring(0, 20));
      String partitionDir = f.getParent().getFileName().toString();
      int partition = Integer.parseInt(partitionDir.substring(partitionDir.lastIndexOf('-') + 1));
      sb.append("Dumping ").append(f).append('\n');
      sb.append("Log starting offset: ").append(base).append('\n');
      sb.append("baseOffset: ")
          .append(base)
          .append(" lastOffset: ")
          .append(base)
          .append(" count: 1 position: 0 isvalid: true\n");
      sb.append("| offset: ")
          .append(base)
          .append(" CreateTime: 1 keySize: -1 valueSize: 100 sequence: 0 headerKeys: [] payload: ")
          .append(ValueCodec.encode("acks-all", partition, "w1", base))
          .append('\n');
    }
    return sb.toString();
  }

  private Path segment(Path logDir, TopicPartition tp, long base) throws Exception {
    Path p = logDir.resolve(tp.topic() + "-" + tp.partition());
    Files.createDirectories(p);
    return Files.createFile(p.resolve(String.format("%020d.log", base)));
  }

  @Test
  void oneDumpPerBrokerOverItsSegmentsInOffsetOrder() throws Exception {
    Path b1 = dir.resolve("data-1");
    Path b2 = dir.resolve("data-2");
    segment(b1, T0, 10);
    segment(b1, T0, 0);
    segment(b1, T1, 0);
    Files.createFile(b1.resolve("acks-all-0/00000000000000000000.index"));
    Files.createFile(b1.resolve("acks-all-0/00000000000000000000.timeindex"));
    Files.createFile(b1.resolve("acks-all-0/leader-epoch-checkpoint"));
    segment(b2, T1, 0);
    Files.createDirectories(dir.resolve("data-3")); // a broker with nothing at all

    List<Integer> calls = new ArrayList<>();
    List<List<Path>> asked = new ArrayList<>();
    List<ReplicaLog> logs =
        ReplicaDumps.dump(
            Map.of(1, b1, 2, b2, 3, dir.resolve("data-3")),
            List.of(T0, T1),
            (broker, files) -> {
              calls.add(broker);
              asked.add(files);
              return fakeDump(files);
            });

    assertEquals(2, calls.size(), "broker 3 has no segments, so no dump: " + calls);
    List<Path> broker1Files = asked.get(calls.indexOf(1));
    assertEquals(
        List.of(
            b1.resolve("acks-all-0/00000000000000000000.log").toAbsolutePath(),
            b1.resolve("acks-all-0/00000000000000000010.log").toAbsolutePath(),
            b1.resolve("acks-all-1/00000000000000000000.log").toAbsolutePath()),
        broker1Files);

    assertEquals(6, logs.size(), "every broker x partition: " + logs);
    ReplicaLog b1t0 = find(logs, 1, T0);
    assertEquals(List.of(0L, 10L), List.copyOf(b1t0.records().keySet()));
    assertEquals(2, b1t0.files().size());
    assertEquals(1, find(logs, 2, T1).records().size());
    assertTrue(find(logs, 2, T0).records().isEmpty());
    assertTrue(find(logs, 3, T0).records().isEmpty());
    assertTrue(find(logs, 3, T1).files().isEmpty());
  }

  @Test
  void aDumpNamingAnUnaskedFileIsRefused() throws Exception {
    Path b1 = dir.resolve("data-1");
    segment(b1, T0, 0);
    assertThrows(
        IllegalStateException.class,
        () ->
            ReplicaDumps.dump(
                Map.of(1, b1),
                List.of(T0),
                (broker, files) ->
                    fakeDump(List.of(dir.resolve("other-0/00000000000000000000.log")))));
  }

  @Test
  void dumpToolArgumentsListTheFilesCommaSeparated() {
    assertEquals(
        List.of("--files", "/a/t-0/1.log,/a/t-1/2.log", "--print-data-log"),
        LogDumper.arguments(List.of(Path.of("/a/t-0/1.log"), Path.of("/a/t-1/2.log"))));
  }

  private static ReplicaLog find(List<ReplicaLog> logs, int broker, TopicPartition tp) {
    return logs.stream()
        .filter(l -> l.brokerId() == broker && l.tp().equals(tp))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no replica of " + tp + " on " + broker));
  }
}
