package io.brook.broker.server;

import io.brook.metadata.config.BrokerDynamicConfigs;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * This broker's dynamic configuration: watches {@code /config/brokers/<id>} and {@code
 * /config/brokers/<default>} (Curator caches on the broker's ZooKeeper client) and layers them over
 * the static properties: per-broker > default > server.properties > built-in default. Listeners
 * hear the layered properties after every change (on the cache's thread), and once at start.
 *
 * <p>Only keys of {@link BrokerDynamicConfigs} are taken from the znodes; an invalid value (written
 * by hand, bypassing the controller's validation) is ignored with an error line. Thread-safe.
 */
public final class DynamicBrokerConfig implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(DynamicBrokerConfig.class);

  /** Where a broker key's value comes from. */
  public enum Source {
    DYNAMIC_BROKER,
    DYNAMIC_DEFAULT,
    STATIC,
    DEFAULT
  }

  private final int brokerId;
  private final Map<String, String> staticProps;
  private final String brokerPath;
  private final String defaultPath;
  private final CuratorFramework zk;
  private final CuratorCache brokerCache;
  private final CuratorCache defaultCache;
  private final List<Consumer<Map<String, String>>> listeners = new CopyOnWriteArrayList<>();

  // @GuardedBy("this")
  private Map<String, String> perBroker = Map.of();
  // @GuardedBy("this")
  private Map<String, String> clusterDefault = Map.of();
  // @GuardedBy("this")
  private Map<String, String> layered;

  public DynamicBrokerConfig(int brokerId, Map<String, String> staticProps, CuratorFramework zk) {
    this.brokerId = brokerId;
    this.staticProps = Map.copyOf(staticProps);
    this.layered = new TreeMap<>(staticProps);
    this.zk = zk;
    this.brokerPath = ZkPaths.brokerConfigPath(Integer.toString(brokerId));
    this.defaultPath = ZkPaths.brokerConfigPath(ZkPaths.DEFAULT_BROKER_ENTITY);
    this.brokerCache = CuratorCache.build(zk, brokerPath, CuratorCache.Options.SINGLE_NODE_CACHE);
    this.defaultCache = CuratorCache.build(zk, defaultPath, CuratorCache.Options.SINGLE_NODE_CACHE);
  }

  /** Adds a listener of the layered properties (called at once with the current ones). */
  public void addListener(Consumer<Map<String, String>> listener) {
    synchronized (listeners) {
      listeners.add(listener);
      listener.accept(current());
    }
  }

  /** Starts watching; the current znodes are loaded before this returns. */
  public void start() {
    CuratorCacheListener l =
        CuratorCacheListener.builder().forAll((type, oldData, data) -> reload()).build();
    brokerCache.listenable().addListener(l);
    defaultCache.listenable().addListener(l);
    try {
      MetadataStore store = new MetadataStore(zk);
      apply(
          decode(brokerPath, store.read(brokerPath).map(Versioned::value).orElse(null)),
          decode(defaultPath, store.read(defaultPath).map(Versioned::value).orElse(null)));
      brokerCache.start();
      defaultCache.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Broker " + brokerId + " could not watch its dynamic configs: " + e.getMessage(), e);
    }
  }

  /** Re-reads both caches and tells the listeners when the layered properties changed. */
  private void reload() {
    apply(read(brokerCache, brokerPath), read(defaultCache, defaultPath));
  }

  private void apply(Map<String, String> b, Map<String, String> d) {
    synchronized (this) {
      Map<String, String> next = BrokerDynamicConfigs.layered(staticProps, d, b);
      if (b.equals(perBroker) && d.equals(clusterDefault)) {
        return;
      }
      if (!b.equals(perBroker)) {
        log.info("Broker {}: dynamic broker config is now {}", brokerId, b);
      }
      if (!d.equals(clusterDefault)) {
        log.info("Broker {}: dynamic default broker config is now {}", brokerId, d);
      }
      perBroker = b;
      clusterDefault = d;
      layered = next;
    }
    notifyListeners();
  }

  /**
   * Tells the listeners the newest layered properties; serialized, and each call reads the newest
   * value, so two watches firing on different threads cannot leave a stale value delivered last.
   */
  private void notifyListeners() {
    synchronized (listeners) {
      Map<String, String> latest = current();
      for (Consumer<Map<String, String>> l : listeners) {
        try {
          l.accept(latest);
        } catch (RuntimeException e) {
          log.error("Broker {}: a dynamic config listener failed", brokerId, e);
        }
      }
    }
  }

  private Map<String, String> read(CuratorCache cache, String path) {
    Optional<ChildData> data = cache.get(path);
    return decode(path, data.map(ChildData::getData).orElse(null));
  }

  private Map<String, String> decode(String path, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return Map.of();
    }
    Map<String, String> raw;
    try {
      raw = ZkPaths.decodeConfig(bytes);
    } catch (RuntimeException e) {
      log.error("Broker {}: {} is not a config: {}", brokerId, path, e.getMessage());
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    raw.forEach(
        (k, v) -> {
          try {
            out.put(k, BrokerDynamicConfigs.parse(k, v));
          } catch (IllegalArgumentException e) {
            log.error("Broker {}: ignoring {} in {}: {}", brokerId, k, path, e.getMessage());
          }
        });
    return Map.copyOf(out);
  }

  /**
   * The dynamic config of any broker entity (an id, or {@code <default>}) read from ZooKeeper now;
   * for describing other brokers, whose static configs this broker does not know.
   */
  public Map<String, String> readEntity(String entity) {
    String path = ZkPaths.brokerConfigPath(entity);
    return decode(path, new MetadataStore(zk).read(path).map(Versioned::value).orElse(null));
  }

  /** The layered properties: static overlaid with the default, then the per-broker config. */
  public synchronized Map<String, String> current() {
    return Map.copyOf(layered);
  }

  public synchronized Map<String, String> perBroker() {
    return perBroker;
  }

  public synchronized Map<String, String> clusterDefault() {
    return clusterDefault;
  }

  /** Where {@code key}'s value comes from. */
  public synchronized Source source(String key) {
    if (perBroker.containsKey(key)) {
      return Source.DYNAMIC_BROKER;
    }
    if (clusterDefault.containsKey(key)) {
      return Source.DYNAMIC_DEFAULT;
    }
    return staticProps.containsKey(key) ? Source.STATIC : Source.DEFAULT;
  }

  /** A throttle rate now ({@link Long#MAX_VALUE}: unlimited). */
  public long rate(String key) {
    return BrokerDynamicConfigs.rate(current(), key);
  }

  @Override
  public void close() {
    brokerCache.close();
    defaultCache.close();
  }
}
