package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

  @TempDir Path dir;

  @Test
  void writesAndReadsAPid() throws Exception {
    Path file = dir.resolve("broker-1.pid");
    PidFile.write(file, 4242);
    assertEquals("4242\n", Files.readString(file));
    assertEquals(OptionalLong.of(4242), PidFile.read(file));
    PidFile.delete(file);
    assertEquals(OptionalLong.empty(), PidFile.read(file));
  }

  @Test
  void aDamagedPidFileCountsAsNone() throws Exception {
    Path file = dir.resolve("zookeeper.pid");
    for (String text : new String[] {"", "abc", "-5", "0", "12 34"}) {
      Files.writeString(file, text);
      assertEquals(OptionalLong.empty(), PidFile.read(file), "for \"" + text + "\"");
    }
  }

  @Test
  void aLiveProcessCountsOnlyWhenItsCommandLineMentionsTheMarker() throws Exception {
    Path file = dir.resolve("broker-1.pid");
    Process p = new ProcessBuilder("sleep", "60").start();
    try {
      PidFile.write(file, p.pid());
      assertTrue(PidFile.liveProcess(file, "sleep").isPresent());
      assertTrue(
          PidFile.liveProcess(file, "/nowhere/broker-1.properties").isEmpty(),
          "a reused pid of another program is not the member");
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertTrue(PidFile.liveProcess(file, "sleep").isEmpty(), "a dead process is not running");
  }

  @Test
  void noPidFileMeansNoProcess() throws Exception {
    assertTrue(PidFile.liveProcess(dir.resolve("missing.pid"), "x").isEmpty());
  }
}
