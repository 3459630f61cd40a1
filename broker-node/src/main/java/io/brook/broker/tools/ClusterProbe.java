package io.brook.broker.tools;

import java.util.Optional;
import java.util.Set;

/**
 * Asks a running cluster what it looks like, for {@link ClusterSupervisor}'s readiness wait.
 *
 * <p>Implementations must return within a few seconds (a short client timeout) and must not throw
 * for a cluster that is still starting: an unreachable broker is an empty answer.
 */
public interface ClusterProbe extends AutoCloseable {

  /** What one broker reports about the cluster. */
  record ClusterView(Set<Integer> brokerIds, int controllerId) {
    /** Whether every id in {@code expected} is registered and a controller is active. */
    public boolean complete(Set<Integer> expected) {
      return controllerId >= 0 && brokerIds.containsAll(expected);
    }
  }

  /** Whether ZooKeeper at 127.0.0.1:{@code port} answers {@code ruok} with {@code imok}. */
  boolean zookeeperOk(int port);

  /**
   * The broker ids registered in ZooKeeper at 127.0.0.1:{@code port} (its ephemeral {@code
   * /brokers/ids/<id>} nodes); empty when ZooKeeper does not answer.
   */
  Set<Integer> registeredBrokers(int port);

  /**
   * The cluster as the broker at {@code bootstrapServer} (host:port) sees it: the registered
   * brokers and the active controller (-1 when none); empty when the broker does not answer.
   */
  Optional<ClusterView> describe(String bootstrapServer);

  @Override
  void close();
}
