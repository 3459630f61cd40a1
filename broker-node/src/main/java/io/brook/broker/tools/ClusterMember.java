package io.brook.broker.tools;

import java.nio.file.Path;

/**
 * One process of a development cluster: ZooKeeper or a broker, with the files it owns in the
 * cluster directory.
 *
 * <p>Immutable. The file names are part of the contract with the benchmark scripts (see {@link
 * DevCluster}): {@code zookeeper.pid}, {@code broker-<id>.pid}, {@code broker-<id>.properties}.
 *
 * @param name {@code zookeeper} or {@code broker-<id>}
 * @param brokerId the broker id, or -1 for ZooKeeper
 * @param port the client port (ZooKeeper's clientPort, the broker's listener port)
 * @param config the properties file the process is started with
 * @param pidFile where the process id is kept while it runs
 * @param logFile the process's standard output and error, appended to on every start
 * @param dataDir ZooKeeper's dataDir or the broker's log.dirs
 */
public record ClusterMember(
    String name, int brokerId, int port, Path config, Path pidFile, Path logFile, Path dataDir) {

  static final String ZOOKEEPER = "zookeeper";

  static ClusterMember zookeeper(Path dir, int port) {
    return new ClusterMember(
        ZOOKEEPER,
        -1,
        port,
        dir.resolve("zookeeper.properties"),
        dir.resolve("zookeeper.pid"),
        dir.resolve("zookeeper.log"),
        dir.resolve("zookeeper"));
  }

  static ClusterMember broker(Path dir, int id, int port) {
    String name = "broker-" + id;
    return new ClusterMember(
        name,
        id,
        port,
        dir.resolve(name + ".properties"),
        dir.resolve(name + ".pid"),
        dir.resolve(name + ".log"),
        dir.resolve(name));
  }

  /** Whether this member is the ZooKeeper server. */
  public boolean isZooKeeper() {
    return brokerId < 0;
  }
}
