package io.brook.systest.harness;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which local process holds the other end of a loopback TCP connection, from Linux's {@code /proc}.
 *
 * <p>A connection accepted on {@code 127.0.0.1:proxyPort} from {@code 127.0.0.1:peerPort} has, in
 * the connecting process, a socket whose local port is {@code peerPort} and remote port {@code
 * proxyPort}. That socket's inode is in {@code /proc/net/tcp} (IPv4 sockets) or {@code
 * /proc/net/tcp6} (Java's dual-stack sockets show up there as IPv4-mapped {@code
 * ::ffff:127.0.0.1}); the process that owns it has a file descriptor linking to {@code
 * socket:[inode]} in {@code /proc/<pid>/fd}. On loopback the pair of ports identifies the
 * connection (the accepting side's own entry has them the other way round), so addresses are not
 * compared.
 *
 * <p>Format of a {@code /proc/net/tcp[6]} line (whitespace separated): {@code sl local_address
 * rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...}, where addresses are
 * {@code HEXADDR:HEXPORT}.
 *
 * <p>Stateless; safe from any thread. Only processes of the same user can be inspected.
 */
public final class ProcSockets {

  private static final Path PROC = Path.of("/proc");
  private static final List<Path> TCP_TABLES =
      List.of(PROC.resolve("net/tcp6"), PROC.resolve("net/tcp"));
  private static final int LOCAL_ADDRESS_FIELD = 1;
  private static final int REMOTE_ADDRESS_FIELD = 2;
  private static final int INODE_FIELD = 9;

  private ProcSockets() {}

  /** Whether this machine has the {@code /proc} files the lookup needs. */
  public static boolean available() {
    return TCP_TABLES.stream().anyMatch(Files::isReadable)
        && Files.isDirectory(PROC.resolve("self/fd"));
  }

  /**
   * The process among {@code candidatePids} that holds the socket with local port {@code localPort}
   * connected to remote port {@code remotePort}, if any.
   *
   * @param localPort the port on the connecting process's side (the accepted socket's remote port)
   * @param remotePort the port it connected to (the accepting socket's local port)
   */
  public static OptionalLong ownerOf(
      int localPort, int remotePort, Collection<Long> candidatePids) {
    OptionalLong inode = socketInode(localPort, remotePort);
    if (inode.isEmpty()) {
      return OptionalLong.empty();
    }
    for (long pid : candidatePids) {
      if (holdsSocket(pid, inode.getAsLong())) {
        return OptionalLong.of(pid);
      }
    }
    return OptionalLong.empty();
  }

  /**
   * A {@link TcpProxy} classifier: the label of the process (from {@code labelsByPid}, asked afresh
   * for every connection so that restarted processes are found) that holds the other end of an
   * accepted loopback socket, or {@link TcpProxy#CLIENT} when it is none of them.
   */
  public static Function<Socket, String> classifier(Supplier<Map<Long, String>> labelsByPid) {
    return socket -> {
      Map<Long, String> labels = labelsByPid.get();
      OptionalLong pid = ownerOf(socket.getPort(), socket.getLocalPort(), labels.keySet());
      return pid.isPresent() ? labels.get(pid.getAsLong()) : TcpProxy.CLIENT;
    };
  }

  /**
   * The inode of the socket whose local port is {@code localPort} and remote port {@code
   * remotePort}, from {@code /proc/net/tcp6} and {@code /proc/net/tcp}; empty when there is none
   * (or its inode is 0, as for a socket no process holds any more).
   */
  public static OptionalLong socketInode(int localPort, int remotePort) {
    for (Path table : TCP_TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        continue;
      }
      OptionalLong inode = findInode(lines, localPort, remotePort);
      if (inode.isPresent()) {
        return inode;
      }
    }
    return OptionalLong.empty();
  }

  /** Parses the lines of one {@code /proc/net/tcp[6]} table (the header line is skipped). */
  static OptionalLong findInode(List<String> lines, int localPort, int remotePort) {
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length <= INODE_FIELD) {
        continue;
      }
      if (port(f[LOCAL_ADDRESS_FIELD]) == localPort
          && port(f[REMOTE_ADDRESS_FIELD]) == remotePort) {
        long inode = Long.parseLong(f[INODE_FIELD]);
        if (inode != 0) {
          return OptionalLong.of(inode);
        }
      }
    }
    return OptionalLong.empty();
  }

  private static int port(String hexAddressAndPort) {
    int colon = hexAddressAndPort.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(hexAddressAndPort.substring(colon + 1), 16);
  }

  /** Whether process {@code pid} has a file descriptor for {@code socket:[inode]}. */
  public static boolean holdsSocket(long pid, long inode) {
    String target = "socket:[" + inode + "]";
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
      for (Path fd : fds) {
        try {
          if (target.equals(Files.readSymbolicLink(fd).toString())) {
            return true;
          }
        } catch (NoSuchFileException e) {
          // closed while we looked: not the one we want
        } catch (IOException e) {
          // unreadable entry: skip
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
