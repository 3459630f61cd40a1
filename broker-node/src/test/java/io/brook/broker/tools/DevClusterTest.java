package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * brook-dev-cluster.sh end to end with one real broker: the real start scripts, ZooKeeper and
 * BrokerMain as separate JVMs on the test class path, the client SDK's describeCluster as the
 * readiness check.
 */
class DevClusterTest {

  @TempDir Path tmp;

  @Test
  void startStatusStop() throws Exception {
    Path dir = tmp.resolve("cluster");
    int zkPort = freePort();
    int brokerPort = freePort();
    try {
      Result start =
          run(
              "start",
              "--brokers",
              "1",
              "--dir",
              dir.toString(),
              "--zookeeper-port",
              Integer.toString(zkPort),
              "--base-port",
              Integer.toString(brokerPort),
              "--timeout-ms",
              "120000");
      assertEquals(0, start.code, start.toString());
      assertEquals(
          "bootstrap.servers=127.0.0.1:" + brokerPort, start.out.strip(), start.toString());

      Result status = run("status", "--dir", dir.toString());
      assertEquals(0, status.code, status.toString());
      assertTrue(
          status.out.matches("(?s)zookeeper +pid=\\d+ +running +port=" + zkPort + "\n.*"),
          status.out);
      assertTrue(status.out.contains("running  port=" + brokerPort), status.out);

      // The broker serves /metrics and /health on the port it logged (metrics.port=0).
      Path brokerLog = dir.resolve("broker-1.log");
      Matcher served =
          Pattern.compile("Metrics served on http://127\\.0\\.0\\.1:(\\d+)/metrics")
              .matcher(Files.readString(brokerLog));
      assertTrue(served.find(), "no 'Metrics served on' line in " + brokerLog);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + served.group(1);
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertTrue(
          metrics.body().contains("brook_controller_kafkacontroller_active_controller_count 1.0"),
          metrics.body());
    } finally {
      Result stop = run("stop", "--dir", dir.toString());
      assertEquals(0, stop.code, stop.toString());
    }
    Result after = run("status", "--dir", dir.toString());
    assertEquals(DevCluster.NOT_RUNNING, after.code, after.toString());
  }

  @Test
  void anUnknownDirectoryIsOneClearError() throws Exception {
    Result r = run("status", "--dir", tmp.resolve("nothing-here").toString());
    assertEquals(1, r.code);
    assertTrue(r.err.startsWith("error: no development cluster in "), r.err);
    assertEquals(1, r.err.strip().lines().count(), r.err);
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("BROOK_CLASSPATH", System.getProperty("java.class.path"));
    env.put("BROOK_JVM_PERFORMANCE_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    env.put("BROOK_DEV_CLUSTER_BROKER_HEAP_OPTS", "-Xmx256m");
    env.put("BROOK_ZOOKEEPER_HEAP_OPTS", "-Xmx64m");
    Path scripts = Path.of(System.getProperty("user.dir")).resolve("../scripts").normalize();
    int code =
        DevCluster.run(
            env,
            scripts,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Time.SYSTEM,
            args);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
