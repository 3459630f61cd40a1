package io.brook.systest.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TcpProxy against an in-JVM echo server, and a child JVM identified by its pid. */
class TcpProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private ServerSocket echoServer;
  private Thread echoThread;

  @BeforeEach
  void startEchoServer() throws IOException {
    echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThread =
        new Thread(
            () -> {
              while (!echoServer.isClosed()) {
                try {
                  Socket s = echoServer.accept();
                  Thread t = new Thread(() -> echo(s), "echo-" + s.getPort());
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "echo-accept");
    echoThread.setDaemon(true);
    echoThread.start();
  }

  private static void echo(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      in.transferTo(out);
    } catch (IOException ignored) {
      // peer gone
    }
  }

  @AfterEach
  void stopEchoServer() throws IOException {
    echoServer.close();
  }

  private InetSocketAddress echoAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), echoServer.getLocalPort());
  }

  @Test
  void relaysBothWaysAndLabelsTheConnection() throws Exception {
    try (TcpProxy proxy = new TcpProxy("echo", echoAddress(), s -> "someone");
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      byte[] payload = new byte[1 << 20];
      new Random(42).nextBytes(payload);
      Thread writer =
          new Thread(
              () -> {
                try {
                  client.getOutputStream().write(payload);
                } catch (IOException ignored) {
                  // asserted by the reader
                }
              });
      writer.start();
      byte[] back = client.getInputStream().readNBytes(payload.length);
      writer.join();
      assertArrayEquals(payload, back);
      assertEquals(List.of("someone"), proxy.connectionLabels());
    }
  }

  @Test
  void closingAConnectionClosesTheClientSideAndRefusalClosesRightAfterAccept() throws Exception {
    try (TcpProxy proxy = new TcpProxy("echo", echoAddress(), s -> "broker-2");
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      roundTrip(client);
      assertEquals(0, proxy.closeConnections(l -> l.equals("client")));
      assertEquals(1, proxy.closeConnections(l -> l.equals("broker-2")));
      assertEquals(-1, readWithTimeout(client), "the proxy closed the client's connection");

      proxy.setAdmission(l -> !l.equals("broker-2"));
      try (Socket refused = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        assertEquals(-1, readWithTimeout(refused), "refused: closed right after accept");
      }
      assertEquals(1, proxy.refusedCount());

      proxy.setAdmission(l -> true);
      try (Socket again = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        roundTrip(again);
      }
    }
  }

  @Test
  void whenTheTargetIsDownTheClientIsClosed() throws Exception {
    InetSocketAddress nowhere = echoAddress();
    echoServer.close();
    try (TcpProxy proxy = new TcpProxy("down", nowhere, s -> TcpProxy.CLIENT);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      assertEquals(-1, readWithTimeout(client));
    }
  }

  @Test
  void identifiesAChildProcessByPid(@TempDir Path tmp) throws Exception {
    assumeTrue(ProcSockets.available(), "needs Linux /proc");
    Path source = tmp.resolve("EchoOnce.java");
    Files.writeString(
        source,
        String.join(
            "\n",
            "import java.io.*;",
            "import java.net.*;",
            "public class EchoOnce {",
            "  public static void main(String[] a) throws Exception {",
            "    try (Socket s = new Socket(\"127.0.0.1\", Integer.parseInt(a[0]))) {",
            "      s.getOutputStream().write(\"hello\\n\".getBytes());",
            "      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream()));",
            "      System.out.println(\"echoed \" + r.readLine());",
            "      System.out.println(\"end \" + r.read());",
            "    }",
            "  }",
            "}"));
    try (TcpProxy proxy =
        new TcpProxy(
            "echo",
            echoAddress(),
            ProcSockets.classifier(() -> Map.of(childPid, "child-process")))) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process child =
          new ProcessBuilder(
                  java.toString(),
                  "-Xmx32m",
                  "-XX:TieredStopAtLevel=1",
                  source.toString(),
                  Integer.toString(proxy.port()))
              .redirectErrorStream(true)
              .start();
      childPid = child.pid();
      ManagedProcess.track(child);
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("echoed hello", out.readLine());
        assertEquals(List.of("child-process"), proxy.connectionLabels());
        assertEquals(1, proxy.closeConnections(l -> l.equals("child-process")));
        assertEquals("end -1", out.readLine());
        assertTrue(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, child.exitValue());
      } finally {
        child.destroyForcibly();
        child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  /** Set before the child connects; read by the classifier on the proxy's thread. */
  private static volatile long childPid = -1;

  @Test
  void withoutAMatchingProcessTheConnectionIsAClient() throws Exception {
    assumeTrue(ProcSockets.available(), "needs Linux /proc");
    try (TcpProxy proxy =
            new TcpProxy("echo", echoAddress(), ProcSockets.classifier(() -> Map.of(-5L, "x")));
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      roundTrip(client);
      assertEquals(List.of(TcpProxy.CLIENT), proxy.connectionLabels());
    }
    // this JVM's own connection, when this JVM's pid is a candidate
    long self = ProcessHandle.current().pid();
    try (TcpProxy proxy =
            new TcpProxy("echo", echoAddress(), ProcSockets.classifier(() -> Map.of(self, "me")));
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      roundTrip(client);
      assertEquals(List.of("me"), proxy.connectionLabels());
    }
  }

  private static void roundTrip(Socket s) throws IOException {
    s.setSoTimeout((int) WAIT.toMillis());
    s.getOutputStream().write(new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, s.getInputStream().readNBytes(3));
  }

  private static int readWithTimeout(Socket s) throws IOException {
    s.setSoTimeout((int) WAIT.toMillis());
    try {
      return s.getInputStream().read();
    } catch (java.net.SocketException e) {
      return -1; // reset by the proxy: closed as well
    }
  }
}
