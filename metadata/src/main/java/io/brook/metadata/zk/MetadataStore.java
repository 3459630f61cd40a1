package io.brook.metadata.zk;

import io.brook.metadata.BrokerInfo;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * Brook's metadata in ZooKeeper, over a started {@link CuratorFramework} (whose namespace, if any,
 * is the chroot): versioned reads, conditional writes, multi-op transactions, and typed reads of
 * the layout in {@link ZkPaths}. Thread-safe (stateless over the thread-safe client); every method
 * blocks on ZooKeeper except the {@code ...Async} ones, so none may be called on a Curator event
 * thread. Failures are {@link MetadataStoreException}s carrying the ZooKeeper code.
 */
public final class MetadataStore {
  private final CuratorFramework client;

  public MetadataStore(CuratorFramework client) {
    this.client = client;
  }

  public CuratorFramework client() {
    return client;
  }

  // ---------------------------------------------------------------- raw access

  public Optional<Versioned<byte[]>> read(String path) {
    try {
      Stat stat = new Stat();
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      return Optional.of(new Versioned<>(data, stat.getVersion(), stat.getCzxid()));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw wrap("read " + path, e);
    }
  }

  /** Reads in the background; the future completes on a Curator thread. */
  public CompletableFuture<Optional<Versioned<byte[]>>> readAsync(String path) {
    CompletableFuture<Optional<Versioned<byte[]>>> f = new CompletableFuture<>();
    try {
      client
          .getData()
          .inBackground(
              (c, event) -> {
                int rc = event.getResultCode();
                if (rc == KeeperException.Code.OK.intValue()) {
                  Stat s = event.getStat();
                  f.complete(
                      Optional.of(new Versioned<>(event.getData(), s.getVersion(), s.getCzxid())));
                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                  f.complete(Optional.empty());
                } else {
                  f.completeExceptionally(
                      wrap(
                          "read " + path,
                          KeeperException.create(KeeperException.Code.get(rc), path)));
                }
              })
          .forPath(path);
    } catch (Exception e) {
      f.completeExceptionally(wrap("read " + path, e));
    }
    return f;
  }

  /**
   * Reads {@code paths} in few round trips: ZooKeeper read-only multi operations of at most {@code
   * batchSize} paths each, all sent at once (pipelined); a batch that fails as a whole (connection
   * loss, a server without multi reads) is read again path by path with {@link #readAsync}. Pick
   * {@code batchSize} so that a batch's answer stays well below jute.maxbuffer (1 MiB): e.g. 500
   * partition state znodes of about 100 bytes each.
   *
   * @return a future of the values by path, in the order of {@code paths}; a missing znode maps to
   *     empty; completes on a ZooKeeper thread, exceptionally when a path could not be read
   */
  public CompletableFuture<Map<String, Optional<Versioned<byte[]>>>> readAllAsync(
      List<String> paths, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, not " + batchSize);
    }
    List<CompletableFuture<List<Optional<Versioned<byte[]>>>>> batches = new ArrayList<>();
    for (int from = 0; from < paths.size(); from += batchSize) {
      batches.add(readBatch(paths.subList(from, Math.min(paths.size(), from + batchSize))));
    }
    return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<String, Optional<Versioned<byte[]>>> out = new LinkedHashMap<>();
              int i = 0;
              for (CompletableFuture<List<Optional<Versioned<byte[]>>>> b : batches) {
                for (Optional<Versioned<byte[]>> value : b.join()) {
                  out.put(paths.get(i++), value);
                }
              }
              return out;
            });
  }

  private CompletableFuture<List<Optional<Versioned<byte[]>>>> readBatch(List<String> paths) {
    CompletableFuture<List<Optional<Versioned<byte[]>>>> f = new CompletableFuture<>();
    try {
      List<Op> ops = new ArrayList<>(paths.size());
      for (String p : paths) {
        ops.add(Op.getData(ZKPaths.fixForNamespace(client.getNamespace(), p)));
      }
      client
          .getZookeeperClient()
          .getZooKeeper()
          .multi(
              ops,
              (rc, path, ctx, results) -> {
                if (rc != KeeperException.Code.OK.intValue()
                    || results == null
                    || results.size() != paths.size()) {
                  readOneByOne(paths, f);
                  return;
                }
                List<Optional<Versioned<byte[]>>> out = new ArrayList<>(paths.size());
                for (int i = 0; i < results.size(); i++) {
                  OpResult r = results.get(i);
                  if (r instanceof OpResult.GetDataResult d) {
                    Stat st = d.getStat();
                    out.add(
                        Optional.of(new Versioned<>(d.getData(), st.getVersion(), st.getCzxid())));
                  } else if (r instanceof OpResult.ErrorResult e
                      && e.getErr() == KeeperException.Code.NONODE.intValue()) {
                    out.add(Optional.empty());
                  } else {
                    readOneByOne(paths, f);
                    return;
                  }
                }
                f.complete(out);
              },
              null);
    } catch (Exception e) {
      readOneByOne(paths, f);
    }
    return f;
  }

  private void readOneByOne(
      List<String> paths, CompletableFuture<List<Optional<Versioned<byte[]>>>> f) {
    List<CompletableFuture<Optional<Versioned<byte[]>>>> reads = new ArrayList<>(paths.size());
    for (String p : paths) {
      reads.add(readAsync(p));
    }
    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                f.completeExceptionally(
                    e instanceof java.util.concurrent.CompletionException c ? c.getCause() : e);
              } else {
                f.complete(reads.stream().map(CompletableFuture::join).toList());
              }
            });
  }

  public Optional<Stat> stat(String path) {
    try {
      return Optional.ofNullable(client.checkExists().forPath(path));
    } catch (Exception e) {
      throw wrap("stat " + path, e);
    }
  }

  /** The children of {@code path}, empty when it does not exist. */
  public List<String> children(String path) {
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw wrap("list " + path, e);
    }
  }

  /** Creates a persistent znode and any missing parents; returns its version (0). */
  public int create(String path, byte[] data) {
    try {
      Stat stat = new Stat();
      client
          .create()
          .storingStatIn(stat)
          .creatingParentsIfNeeded()
          .withMode(CreateMode.PERSISTENT)
          .forPath(path, data);
      return stat.getVersion();
    } catch (Exception e) {
      throw wrap("create " + path, e);
    }
  }

  /** Creates {@code path} (and parents) empty if missing. */
  public void ensurePath(String path) {
    try {
      client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
    } catch (KeeperException.NodeExistsException e) {
      // fine
    } catch (Exception e) {
      throw wrap("create " + path, e);
    }
  }

  /** Creates the paths of {@link ZkPaths#PERSISTENT_PATHS} that are missing. */
  public void ensurePersistentPaths() {
    for (String p : ZkPaths.PERSISTENT_PATHS) {
      ensurePath(p);
    }
  }

  /**
   * Writes {@code data} if the znode's version is {@code expectedVersion} (-1: any).
   *
   * @return the new version
   */
  public int setData(String path, byte[] data, int expectedVersion) {
    try {
      return client.setData().withVersion(expectedVersion).forPath(path, data).getVersion();
    } catch (Exception e) {
      throw wrap("write " + path, e);
    }
  }

  /** Deletes {@code path} and its children if it exists. */
  public void deleteRecursive(String path) {
    try {
      client.delete().deletingChildrenIfNeeded().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      // already gone
    } catch (Exception e) {
      throw wrap("delete " + path, e);
    }
  }

  /** The builder of transaction operations. */
  public TransactionOp ops() {
    return client.transactionOp();
  }

  /** Runs {@code ops} as one multi-op transaction: all apply or none. */
  public List<CuratorTransactionResult> commit(Collection<CuratorOp> ops) {
    try {
      return client.transaction().forOperations(new ArrayList<>(ops));
    } catch (Exception e) {
      throw wrap("transaction of " + ops.size() + " operations", e);
    }
  }

  /** The cluster id from /cluster/id, created (a random base64 UUID) by the first caller. */
  public String getOrCreateClusterId() {
    Optional<Versioned<byte[]>> existing = read(ZkPaths.CLUSTER_ID);
    if (existing.isPresent()) {
      return ZkPaths.decodeClusterId(existing.get().value());
    }
    UUID u = UUID.randomUUID();
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    try {
      create(ZkPaths.CLUSTER_ID, ZkPaths.encodeClusterId(id));
      return id;
    } catch (MetadataStoreException e) {
      if (e.isNodeExists()) {
        return ZkPaths.decodeClusterId(read(ZkPaths.CLUSTER_ID).orElseThrow().value());
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- typed reads

  public Optional<BrokerInfo> broker(int id) {
    return read(ZkPaths.brokerPath(id)).map(v -> ZkPaths.decodeBroker(id, v.value(), v.czxid()));
  }

  /** Every registered broker, by id. */
  public List<BrokerInfo> liveBrokers() {
    List<BrokerInfo> out = new ArrayList<>();
    for (String child : children(ZkPaths.BROKER_IDS)) {
      try {
        broker(Integer.parseInt(child)).ifPresent(out::add);
      } catch (NumberFormatException e) {
        // not a broker registration
      }
    }
    out.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return out;
  }

  public List<String> topicNames() {
    return children(ZkPaths.BROKER_TOPICS);
  }

  public Optional<Versioned<TopicAssignment>> topic(String name) {
    return read(ZkPaths.topicPath(name))
        .map(v -> v.map(d -> ZkPaths.decodeTopic(name, d, UUID.randomUUID())));
  }

  public Optional<LeaderAndIsr> partitionState(String topic, int partition) {
    return read(ZkPaths.partitionStatePath(topic, partition))
        .map(v -> ZkPaths.decodePartitionState(v.value(), v.version()));
  }

  /** The topic's config overrides; empty when none. */
  public Map<String, String> topicConfig(String topic) {
    return read(ZkPaths.topicConfigPath(topic))
        .map(v -> ZkPaths.decodeConfig(v.value()))
        .orElse(Map.of());
  }

  /** The controller epoch and the version of /controller_epoch, when it exists. */
  public Optional<Versioned<Integer>> controllerEpoch() {
    return read(ZkPaths.CONTROLLER_EPOCH).map(v -> v.map(ZkPaths::decodeControllerEpoch));
  }

  public Optional<ZkPaths.ControllerRegistration> controller() {
    return read(ZkPaths.CONTROLLER).map(v -> ZkPaths.decodeController(v.value()));
  }

  static MetadataStoreException wrap(String what, Exception e) {
    if (e instanceof MetadataStoreException m) {
      return m;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new MetadataStoreException("ZooKeeper: could not " + what, e);
  }
}
