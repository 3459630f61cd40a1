package io.brook.client.internals;

import io.brook.client.common.Node;
import io.brook.client.common.errors.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** Parses {@code bootstrap.servers}. Stateless. */
public final class Bootstrap {
  private Bootstrap() {}

  /**
   * {@code host:port} entries (IPv6 as {@code [::1]:9092}) as nodes with ids -1, -2, ...
   *
   * @throws ConfigException naming the bad entry
   */
  public static List<Node> parse(List<String> servers) {
    List<Node> out = new ArrayList<>();
    int id = -1;
    for (String s : servers) {
      String url = s.trim();
      if (url.isEmpty()) {
        continue;
      }
      int colon = url.lastIndexOf(':');
      String host = colon > 0 ? url.substring(0, colon) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = colon > 0 ? Integer.parseInt(url.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (host.isEmpty() || port < 0 || port > 65535) {
        throw new ConfigException(
            "Invalid url in bootstrap.servers: " + url + " (expected host:port)");
      }
      out.add(new Node(id--, host, port));
    }
    if (out.isEmpty()) {
      throw new ConfigException("No resolvable bootstrap urls given in bootstrap.servers");
    }
    return out;
  }
}
