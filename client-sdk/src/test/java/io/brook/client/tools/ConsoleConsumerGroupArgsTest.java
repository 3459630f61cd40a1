package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** --group of the console consumer: where the group comes from, and Kafka's refusals. */
class ConsoleConsumerGroupArgsTest {
  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void groupComesFromTheFlagOrEitherPropertySourceAndMustAgree() {
    assertNull(ConsoleConsumer.groupId(null, props(), props()));
    assertEquals("g", ConsoleConsumer.groupId("g", props(), props()));
    assertEquals("g", ConsoleConsumer.groupId(null, props("group.id", "g"), props()));
    assertEquals("g", ConsoleConsumer.groupId(null, props(), props("group.id", "g")));
    assertEquals("g", ConsoleConsumer.groupId("g", props("group.id", "g"), props("group.id", "g")));
    ToolArgs.UsageException e =
        assertThrows(
            ToolArgs.UsageException.class,
            () -> ConsoleConsumer.groupId("a", props(), props("group.id", "b")));
    assertEquals(
        "The group ids provided in different places (directly using '--group', via"
            + " '--consumer-property', or via '--consumer.config') do not match. Detected group"
            + " ids: 'a', 'b'",
        e.getMessage());
  }

  /** Each is refused before any connection is made (the bootstrap address does not exist). */
  @Test
  void badCombinationsExitOneWithoutConnecting() {
    String[][] bad = {
      {"--group", "g"},
      {"--topic", "t", "--include", "t.*", "--group", "g"},
      {"--topic", "t", "--group", "g", "--partition", "0"},
      {"--include", "t.*"},
      {
        "--topic",
        "t",
        "--group",
        "g",
        "--from-beginning",
        "--consumer-property",
        "auto.offset.reset=latest"
      },
      {"--topic", "t", "--group", "a", "--consumer-property", "group.id=b"},
    };
    PrintStream savedErr = System.err;
    for (String[] args : bad) {
      String[] full = new String[args.length + 2];
      full[0] = "--bootstrap-server";
      full[1] = "unresolvable.invalid:1";
      System.arraycopy(args, 0, full, 2, args.length);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = ConsoleConsumer.run(full, new PrintStream(new ByteArrayOutputStream()));
      } finally {
        System.setErr(savedErr);
      }
      assertEquals(1, code, String.join(" ", args));
      String message = err.toString(StandardCharsets.UTF_8);
      assertTrue(message.startsWith("Error: "), String.join(" ", args) + " -> " + message);
      assertFalse(message.contains("Processed a total"), "refused before consuming: " + message);
    }
  }
}
