package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.consumer.ConsumerRecord;
import io.brook.common.Time;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart's embedded ZooKeeper and broker, on ports chosen by the operating system. */
class QuickstartTest {

  @TempDir Path tmp;

  @Test
  void producesAndConsumesTheDemoRecords() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Path data = tmp.resolve("quickstart-data");
    try (Quickstart q = Quickstart.start(data, 0, 0)) {
      q.createTopic(out);
      List<ConsumerRecord<String, String>> read = q.produceAndConsume(out, Time.SYSTEM);

      assertEquals(Quickstart.RECORDS.size(), read.size());
      Map<String, Integer> partitionOfKey = new HashMap<>();
      Map<String, List<String>> valuesByKey = new HashMap<>();
      for (ConsumerRecord<String, String> r : read) {
        Integer before = partitionOfKey.putIfAbsent(r.key(), r.partition());
        assertTrue(before == null || before == r.partition(), "one partition per key: " + r);
        valuesByKey.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r.value());
      }
      for (Map.Entry<String, String> sent : Quickstart.RECORDS) {
        assertTrue(valuesByKey.get(sent.getKey()).contains(sent.getValue()), sent.toString());
      }
      assertEquals(
          List.of("signed up", "added 'The Log' to her cart", "checked out"),
          valuesByKey.get("alice"),
          "order per key");

      String printed = bytes.toString(StandardCharsets.UTF_8);
      assertEquals(Quickstart.RECORDS.size(), count(printed, "  sent "), printed);
      assertEquals(Quickstart.RECORDS.size(), count(printed, "  received "), printed);
      String tryLines = q.tryLines("bin/");
      assertTrue(
          tryLines.contains(
              "bin/brook-console-consumer.sh --bootstrap-server " + q.bootstrapServers()),
          tryLines);

      // A second quickstart may not take the same directory while this one runs.
      IllegalStateException busy =
          assertThrows(IllegalStateException.class, () -> Quickstart.start(data, 0, 0));
      assertTrue(busy.getMessage().contains("another quickstart"), busy.getMessage());
    }
    assertTrue(Files.exists(data.resolve(Quickstart.MARKER)));
  }

  @Test
  void refusesADirectoryItDidNotMake() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(data.resolve("thesis.tex"), "do not delete");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Quickstart.start(data, 0, 0));
    assertTrue(e.getMessage().contains("not made by the quickstart"), e.getMessage());
    assertFalse(Files.notExists(data.resolve("thesis.tex")));
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
