package io.brook.broker.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ZooKeeper's four-letter-word commands ({@code ruok}, {@code srvr}, ...) over a plain socket: the
 * cheapest way to ask a ZooKeeper server whether it serves. The command must be in the server's
 * {@code 4lw.commands.whitelist}.
 *
 * <p>Stateless; each call opens and closes its own connection.
 */
public final class ZooKeeperFourLetterWords {

  private static final Pattern BROKER_ID =
      Pattern.compile("^\\s*/brokers/ids/(\\d+)\\s*$", Pattern.MULTILINE);

  private ZooKeeperFourLetterWords() {}

  /**
   * Sends {@code command} to {@code host:port} and returns the whole answer.
   *
   * @throws IOException when the server cannot be reached or does not answer within {@code
   *     timeoutMs}
   */
  public static String send(String host, int port, String command, int timeoutMs)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      s.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) >= 0 && answer.size() < 1 << 20; ) {
        answer.write(buf, 0, n);
      }
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }

  /**
   * The broker ids whose ephemeral {@code /brokers/ids/<id>} node is listed by the {@code dump}
   * command (ZooKeeper without a chroot); empty when ZooKeeper does not answer.
   */
  public static Set<Integer> registeredBrokers(String host, int port, int timeoutMs) {
    try {
      return brokerIdsInDump(send(host, port, "dump", timeoutMs));
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** The ids of the {@code /brokers/ids/<id>} lines in the answer to {@code dump}. */
  static Set<Integer> brokerIdsInDump(String dump) {
    Set<Integer> ids = new TreeSet<>();
    Matcher m = BROKER_ID.matcher(dump);
    while (m.find()) {
      ids.add(Integer.parseInt(m.group(1)));
    }
    return ids;
  }

  /** Whether ZooKeeper at {@code host:port} answers {@code ruok} with {@code imok}. */
  public static boolean ruok(String host, int port, int timeoutMs) {
    try {
      return "imok".equals(send(host, port, "ruok", timeoutMs).trim());
    } catch (IOException e) {
      return false;
    }
  }
}
