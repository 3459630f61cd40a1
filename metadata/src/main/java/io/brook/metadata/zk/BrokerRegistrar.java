package io.brook.metadata.zk;

import io.brook.common.Time;
import io.brook.metadata.BrokerInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Registers a broker as the ephemeral znode {@code /brokers/ids/<id>} and keeps it registered.
 *
 * <p>Lifecycle LATENT -> STARTED -> CLOSED: {@link #start()} once (a second call fails), {@link
 * #close()} idempotent. {@code start()} fails with a {@link BrokerRegistrationException} when a
 * live broker (another ZooKeeper session) holds the id. After a session expiry (Curator reports
 * LOST, then RECONNECTED with a new session) the registrar registers again on its own thread; the
 * new znode's czxid is the new broker epoch, announced to the epoch listeners.
 *
 * <p>Thread rules: all ZooKeeper work runs on the registrar's single thread (never on Curator's
 * event thread); epoch listeners are called on that thread. {@link #brokerEpoch()} may be called
 * from any thread.
 */
public final class BrokerRegistrar implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(BrokerRegistrar.class);
  private static final long RETRY_BACKOFF_MS = 200;

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final CuratorFramework client;
  private final MetadataStore store;
  private final BrokerInfo broker;
  private final Time time;
  private final String path;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final List<LongConsumer> epochListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;
  private final ConnectionStateListener connectionListener = this::onConnectionStateChange;
  private volatile long epoch = BrokerInfo.NO_EPOCH;

  public BrokerRegistrar(CuratorFramework client, BrokerInfo broker) {
    this(client, broker, Time.SYSTEM);
  }

  public BrokerRegistrar(CuratorFramework client, BrokerInfo broker, Time time) {
    this.client = client;
    this.store = new MetadataStore(client);
    this.broker = broker.withEpoch(BrokerInfo.NO_EPOCH);
    this.time = time;
    this.path = ZkPaths.brokerPath(broker.id());
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "broker-registrar-" + broker.id());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Registers the broker; blocks until registered.
   *
   * @throws BrokerRegistrationException when the id is held by another live broker or ZooKeeper
   *     fails
   * @throws IllegalStateException when called twice
   */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("Cannot be started more than once");
    }
    try {
      executor.submit(() -> register(true)).get();
    } catch (java.util.concurrent.ExecutionException e) {
      close();
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new BrokerRegistrationException("Broker " + broker.id() + " could not register", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new BrokerRegistrationException("Interrupted while registering", e);
    }
    client.getConnectionStateListenable().addListener(connectionListener);
  }

  /** The czxid of the current registration, or {@link BrokerInfo#NO_EPOCH} when unregistered. */
  public long brokerEpoch() {
    return epoch;
  }

  /** The broker as registered, with its current epoch. */
  public BrokerInfo registration() {
    return broker.withEpoch(epoch);
  }

  /** Called (on the registrar's thread) with the new broker epoch after every registration. */
  public void addEpochListener(LongConsumer listener) {
    epochListeners.add(listener);
  }

  public String getOrCreateClusterId() {
    return store.getOrCreateClusterId();
  }

  /** Stops re-registering and deletes the registration. Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(connectionListener);
    if (previous == State.STARTED) {
      try {
        executor.submit(this::deregister).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Broker {} could not delete its registration: {}", broker.id(), e.toString());
      }
    }
    executor.shutdownNow();
  }

  private void onConnectionStateChange(CuratorFramework c, ConnectionState newState) {
    // Curator's event thread: no ZooKeeper calls here, only hand work to our thread.
    if (newState == ConnectionState.LOST) {
      log.warn("Broker {} lost its ZooKeeper session; will register again", broker.id());
    } else if (newState == ConnectionState.RECONNECTED && state.get() == State.STARTED) {
      executor.execute(() -> register(false));
    }
  }

  /**
   * Creates the registration unless this session already holds it. With {@code failIfTaken} (start)
   * a registration held by another session is an error; otherwise (after a session expiry) it is
   * the old session's node about to disappear, so we wait for it.
   */
  private void register(boolean failIfTaken) {
    while (state.get() == State.STARTED) {
      try {
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        Stat existing = client.checkExists().forPath(path);
        if (existing != null) {
          if (existing.getEphemeralOwner() == session) {
            updateEpoch(existing.getCzxid());
            return;
          }
          String msg =
              "Broker id "
                  + broker.id()
                  + " is already registered at "
                  + path
                  + " by another live ZooKeeper session (0x"
                  + Long.toHexString(existing.getEphemeralOwner())
                  + "): another broker with broker.id="
                  + broker.id()
                  + " is running, or a previous session of this broker has not expired yet";
          if (failIfTaken) {
            throw new BrokerRegistrationException(msg);
          }
          log.warn("{}; retrying", msg);
          time.sleep(RETRY_BACKOFF_MS);
          continue;
        }
        Stat stat = new Stat();
        client
            .create()
            .storingStatIn(stat)
            .creatingParentContainersIfNeeded()
            .withMode(CreateMode.EPHEMERAL)
            .forPath(path, ZkPaths.encodeBroker(broker, time.milliseconds()));
        updateEpoch(stat.getCzxid());
        return;
      } catch (KeeperException.NodeExistsException e) {
        // raced with a retry of our own create or with another broker: look again
      } catch (BrokerRegistrationException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (failIfTaken) {
          throw new BrokerRegistrationException(
              "Broker " + broker.id() + " could not register at " + path + ": " + e, e);
        }
        log.warn("Broker {} could not register again, retrying: {}", broker.id(), e.toString());
        try {
          time.sleep(RETRY_BACKOFF_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void updateEpoch(long czxid) {
    if (czxid == epoch) {
      return;
    }
    epoch = czxid;
    log.info(
        "Broker {} registered at {}:{} (epoch {})",
        broker.id(),
        broker.host(),
        broker.port(),
        czxid);
    for (LongConsumer l : epochListeners) {
      try {
        l.accept(czxid);
      } catch (RuntimeException e) {
        log.error("Broker epoch listener failed", e);
      }
    }
  }

  private void deregister() {
    try {
      long session = client.getZookeeperClient().getZooKeeper().getSessionId();
      Stat existing = client.checkExists().forPath(path);
      if (existing != null && existing.getEphemeralOwner() == session) {
        client.delete().withVersion(existing.getVersion()).forPath(path);
      }
    } catch (Exception e) {
      log.debug("Could not delete {}: {}", path, e.toString());
    }
    epoch = BrokerInfo.NO_EPOCH;
  }
}
