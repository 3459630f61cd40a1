package io.brook.broker.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.client.admin.DescribeClusterOptions;
import io.brook.client.admin.DescribeClusterResult;
import io.brook.client.common.Node;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ClusterProbe} through the client SDK's {@link Admin#describeCluster()}: what a client sees
 * is what "ready" means. One admin client per broker address, kept until {@link #close()}.
 *
 * <p>Used by one thread; not thread-safe.
 */
public final class AdminClusterProbe implements ClusterProbe {

  private static final int TIMEOUT_MS = 3000;

  private final Map<String, Admin> admins = new HashMap<>();

  @Override
  public boolean zookeeperOk(int port) {
    return ZooKeeperFourLetterWords.ruok(ClusterLayout.HOST, port, TIMEOUT_MS);
  }

  @Override
  public Set<Integer> registeredBrokers(int port) {
    return ZooKeeperFourLetterWords.registeredBrokers(ClusterLayout.HOST, port, TIMEOUT_MS);
  }

  @Override
  public Optional<ClusterView> describe(String bootstrapServer) {
    Admin admin = admins.computeIfAbsent(bootstrapServer, AdminClusterProbe::newAdmin);
    try {
      DescribeClusterResult r =
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
      Collection<Node> nodes = r.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Node controller = r.controller().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Set<Integer> ids = new TreeSet<>();
      nodes.forEach(n -> ids.add(n.id()));
      int controllerId = controller == null || controller.isEmpty() ? -1 : controller.id();
      return Optional.of(new ClusterView(ids, controllerId));
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Admin newAdmin(String bootstrapServer) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer);
    conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "brook-dev-cluster");
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    return Admin.create(conf);
  }

  @Override
  public void close() {
    admins.values().forEach(a -> a.close(java.time.Duration.ofSeconds(5)));
    admins.clear();
  }
}
