package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.admin.Admin;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client and the topics tool give up in bounded time when the bootstrap address refuses
 * connections: the admin client after default.api.timeout.ms, the producer after max.block.ms, the
 * consumer's metadata calls after default.api.timeout.ms, and brook-topics.sh with one error line.
 * Each test has a generous overall deadline; nothing asserts how fast a failure came.
 */
class UnreachableBootstrapTest {
  static String bootstrap;

  @TempDir Path dir;

  /** A loopback port nobody listens on: bound by the OS, then closed. */
  @BeforeAll
  static void closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      bootstrap = "127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void adminCallFailsWithTimeoutAfterDefaultApiTimeout() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("default.api.timeout.ms", "1500");
    p.put("request.timeout.ms", "1000");
    try (Admin admin = Admin.create(p)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertTrue(
          e.getCause().getMessage().startsWith("Timed out waiting for a node assignment. Call:"),
          e.getCause().getMessage());
      // A second call queued behind a failing one still fails on its own deadline.
      Future<?> a = admin.listTopics().names();
      Future<?> b = admin.describeTopics(List.of("t")).allTopicNames();
      assertInstanceOf(
          TimeoutException.class, assertThrows(ExecutionException.class, a::get).getCause());
      assertInstanceOf(
          TimeoutException.class, assertThrows(ExecutionException.class, b::get).getCause());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void topicCommandListFailsWithOneLineWithoutWaitingTheAdminDefault() {
    String[] err = runTopicCommand("--bootstrap-server", bootstrap, "--list");
    assertEquals("1", err[0]);
    String[] lines = err[1].strip().split("\n");
    assertEquals(1, lines.length, "one line on stderr: " + err[1]);
    assertTrue(
        lines[0].startsWith(
            "Error while executing topic command : Timed out waiting for a node assignment."
                + " Call: listTopics"),
        lines[0]);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void topicCommandHonoursTimeoutsFromCommandConfig() throws IOException {
    Path conf = dir.resolve("admin.properties");
    Files.writeString(conf, "default.api.timeout.ms=1000\nrequest.timeout.ms=500\n");
    String[] err =
        runTopicCommand(
            "--bootstrap-server",
            bootstrap,
            "--describe",
            "--topic",
            "t",
            "--command-config",
            conf.toString());
    assertEquals("1", err[0]);
    assertEquals(1, err[1].strip().split("\n").length, err[1]);
    assertTrue(err[1].contains("Call: "), err[1]);
  }

  /** Runs TopicCommand; returns {exit code, stderr}. */
  private static String[] runTopicCommand(String... args) {
    ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    PrintStream savedErr = System.err;
    int rc;
    try {
      System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
      rc =
          TopicCommand.run(
              args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
    }
    return new String[] {String.valueOf(rc), errBuf.toString(StandardCharsets.UTF_8)};
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void producerSendAndPartitionsForFailAfterMaxBlockMs() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("max.block.ms", "1500");
    c.put("request.timeout.ms", "1000");
    c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    try (BrookProducer<String, String> producer = new BrookProducer<>(c)) {
      Future<?> f = producer.send(new ProducerRecord<>("t", "v"));
      ExecutionException e = assertThrows(ExecutionException.class, f::get);
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertThrows(TimeoutException.class, () -> producer.partitionsFor("t"));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void consumerMetadataCallsFailAfterDefaultApiTimeout() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("default.api.timeout.ms", "1500");
    c.put("request.timeout.ms", "1000");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    TopicPartition tp = new TopicPartition("t", 0);
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(c)) {
      assertThrows(TimeoutException.class, () -> consumer.partitionsFor("t"));
      assertThrows(TimeoutException.class, consumer::listTopics);
      assertThrows(TimeoutException.class, () -> consumer.endOffsets(List.of(tp)));
      assertThrows(TimeoutException.class, () -> consumer.beginningOffsets(List.of(tp)));
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      assertThrows(TimeoutException.class, () -> consumer.position(tp));
      assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty());
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void consumerPerformanceFailsWithOneLine() throws IOException {
    Path conf = dir.resolve("consumer.properties");
    Files.writeString(conf, "default.api.timeout.ms=1500\nrequest.timeout.ms=1000\n");
    ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    PrintStream savedErr = System.err;
    int rc;
    try {
      System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
      rc =
          ConsumerPerformance.run(
              new String[] {
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "t",
                "--messages",
                "1",
                "--consumer.config",
                conf.toString()
              },
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
    }
    String err = errBuf.toString(StandardCharsets.UTF_8);
    assertEquals(1, rc, err);
    assertEquals(1, err.strip().split("\n").length, err);
    assertTrue(err.contains("TimeoutException"), err);
  }
}
