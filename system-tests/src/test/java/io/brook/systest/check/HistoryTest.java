package io.brook.systest.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  @Test
  void savesOneLinePerEventInOrder() throws Exception {
    History h = new History("acks-one");
    String v = ValueCodec.encode("acks-one", 1, "w1", 0);
    h.add(new History.Seek(1, "acks-one-c1", 1, 0, "start"));
    h.add(new History.SendAttempt(2, 1, v));
    h.add(new History.SendFailed(3, 1, v, "TimeoutException", "expired\nafter 20 s", false));
    h.add(new History.SendOk(4, 1, 7, v));
    h.add(new History.Read(5, "acks-one-c1", 3, 1, 7, v));
    h.add(new History.ConsumerError(6, "acks-one-c1", "NetworkException", "gone"));
    Path f = dir.resolve("history-acks-one.txt");
    h.save(f);
    List<String> lines = Files.readAllLines(f);
    assertEquals(7, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).startsWith("# history of topic acks-one: 6 events"));
    assertEquals("SEEK t=1 c=acks-one-c1 p=1 o=0 reason=start", lines.get(1));
    assertEquals("SEND t=2 p=1 v=" + v, lines.get(2));
    assertEquals(
        "FAIL t=3 p=1 definite=false error=TimeoutException v=" + v + " msg=expired after 20 s",
        lines.get(3));
    assertEquals("OK t=4 p=1 o=7 v=" + v, lines.get(4));
    assertEquals("READ t=5 c=acks-one-c1 poll=3 p=1 o=7 v=" + v, lines.get(5));
    assertEquals("CERR t=6 c=acks-one-c1 error=NetworkException msg=gone", lines.get(6));
    assertEquals(6, h.events().size());
  }
}
