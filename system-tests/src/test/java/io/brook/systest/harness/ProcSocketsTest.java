package io.brook.systest.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The /proc lookup: table parsing as cases, and a real loopback connection of this JVM. */
class ProcSocketsTest {

  private static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
          + " inode";

  @Test
  void findsTheInodeByLocalAndRemotePortInIpv4AndIpv6Tables() {
    List<String> tcp =
        List.of(
            HEADER,
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 111"
                + " 1 0000000000000000 100 0 0 10 0",
            // accepting side of the connection: ports the other way round
            "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000  0 222"
                + " 1 0000000000000000 20 4 30 10 -1",
            // connecting side: local 50000 (C350) -> remote 8080 (1F90)
            "   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000  0 333"
                + " 1 0000000000000000 20 4 30 10 -1");
    assertEquals(OptionalLong.of(333), ProcSockets.findInode(tcp, 50000, 8080));
    assertEquals(OptionalLong.of(222), ProcSockets.findInode(tcp, 8080, 50000));
    assertEquals(OptionalLong.empty(), ProcSockets.findInode(tcp, 50001, 8080));

    List<String> tcp6 =
        List.of(
            HEADER,
            "   0: 0000000000000000FFFF00000100007F:C350 0000000000000000FFFF00000100007F:1F90 01"
                + " 00000000:00000000 00:00000000 00000000  1000 0 444 1 0000000000000000 20 4 30"
                + " 10 -1");
    assertEquals(OptionalLong.of(444), ProcSockets.findInode(tcp6, 50000, 8080));
  }

  @Test
  void aSocketWithInodeZeroIsNobodys() {
    List<String> tcp =
        List.of(
            HEADER,
            "   0: 0100007F:C350 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0  0 0"
                + " 3 0000000000000000");
    assertEquals(OptionalLong.empty(), ProcSockets.findInode(tcp, 50000, 8080));
  }

  @Test
  void identifiesThisJvmAsTheOwnerOfItsOwnLoopbackConnection() throws Exception {
    assumeTrue(ProcSockets.available(), "needs Linux /proc");
    long self = ProcessHandle.current().pid();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      // what a proxy knows: the accepted socket's remote port and its own local port
      OptionalLong inode = ProcSockets.socketInode(accepted.getPort(), accepted.getLocalPort());
      assertTrue(inode.isPresent(), "the connecting socket is in /proc/net/tcp[6]");
      assertTrue(ProcSockets.holdsSocket(self, inode.getAsLong()));
      assertEquals(
          OptionalLong.of(self),
          ProcSockets.ownerOf(accepted.getPort(), accepted.getLocalPort(), List.of(-1L, self)));
      assertEquals(
          OptionalLong.empty(),
          ProcSockets.ownerOf(accepted.getPort(), accepted.getLocalPort(), List.of(-1L)));
      assertEquals(client.getLocalPort(), accepted.getPort());
    }
  }
}
