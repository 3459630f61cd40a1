package io.brook.controller.zk;

import io.brook.common.Time;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.MetadataStoreException;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

/**
 * Controller candidacy: a Curator {@link LeaderLatch} on {@code /controller_election}, plus the
 * epoch claim that turns latch leadership into a fenced controller epoch.
 *
 * <p>The latch only elects. A newly elected candidate calls {@link #claim()} (from its own thread,
 * never a Curator one) which, in one transaction, increments {@code /controller_epoch} conditional
 * on the version it read, replaces {@code /controller} with an ephemeral {brokerid, epoch}, and
 * returns a {@link FencedZkWriter} bound to the new epoch's znode version.
 *
 * <p>Lifecycle LATENT -> STARTED -> CLOSED ({@code start()} twice fails, {@code close()} is
 * idempotent and gives up leadership). On SUSPENDED or LOST the current writer is disabled at once
 * on the Curator thread (no ZooKeeper call), and the listener hears {@code onResigned} through the
 * callback executor; the latch re-elects after RECONNECTED, and a re-elected candidate must {@link
 * #claim()} again and so gets a new epoch.
 *
 * <p>Listener calls run on the callback executor given to the constructor (the controller's event
 * queue), in the order the latch reported them.
 */
public final class ControllerElector implements Closeable {
  private static final Logger log = LogManager.getLogger(ControllerElector.class);
  private static final int CLAIM_ATTEMPTS = 5;

  /** Hears about latch leadership changes, on the callback executor. */
  public interface Listener {
    /** The latch elected this candidate; call {@link #claim()}. */
    void onElected();

    /** Leadership was lost (latch, SUSPENDED, LOST or close); stop acting as controller. */
    void onResigned();
  }

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final CuratorFramework client;
  private final MetadataStore store;
  private final int brokerId;
  private final Time time;
  private final LeaderLatch latch;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final AtomicReference<FencedZkWriter> writer = new AtomicReference<>();
  private final ConnectionStateListener connectionListener;

  public ControllerElector(
      CuratorFramework client,
      int brokerId,
      Executor callbackExecutor,
      Listener listener,
      Time time) {
    this.client = client;
    this.store = new MetadataStore(client);
    this.brokerId = brokerId;
    this.time = time;
    this.latch =
        new LeaderLatch(
            client,
            ZkPaths.CONTROLLER_ELECTION,
            Integer.toString(brokerId),
            LeaderLatch.CloseMode.NOTIFY_LEADER);
    this.latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            listener.onElected();
          }

          @Override
          public void notLeader() {
            disableWriter();
            listener.onResigned();
          }
        },
        callbackExecutor);
    this.connectionListener =
        (c, newState) -> {
          if (newState == ConnectionState.SUSPENDED || newState == ConnectionState.LOST) {
            // Stop writing at once; the latch tells the listener through notLeader.
            if (disableWriter()) {
              log.warn(
                  "Broker {}: ZooKeeper connection {}, controller stops writing",
                  brokerId,
                  newState);
            }
            callbackExecutor.execute(listener::onResigned);
          }
        };
  }

  /** Joins the election. */
  public void start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("Cannot be started more than once");
    }
    client.getConnectionStateListenable().addListener(connectionListener);
    latch.start();
  }

  /** Whether the latch currently elects this candidate (not proof of being the controller). */
  public boolean hasLeadership() {
    return state.get() == State.STARTED && latch.hasLeadership();
  }

  /**
   * Claims the next controller epoch. Blocks on ZooKeeper: call from the controller thread.
   *
   * @return a writer fenced by the new epoch
   * @throws ControllerMovedException when the latch no longer elects this candidate or the claim
   *     keeps losing races
   */
  public FencedZkWriter claim() {
    MetadataStoreException last = null;
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (!hasLeadership()) {
        throw new ControllerMovedException("Broker " + brokerId + " is not elected");
      }
      try {
        FencedZkWriter w = tryClaim();
        FencedZkWriter previous = writer.getAndSet(w);
        if (previous != null) {
          previous.disable();
        }
        if (!hasLeadership()) {
          w.disable();
          throw new ControllerMovedException("Broker " + brokerId + " lost the election");
        }
        return w;
      } catch (MetadataStoreException e) {
        last = e;
        log.info("Broker {}: controller epoch claim raced ({}), retrying", brokerId, e.code());
      }
    }
    throw new ControllerMovedException("Broker " + brokerId + " could not claim an epoch", last);
  }

  private FencedZkWriter tryClaim() {
    Optional<Versioned<Integer>> current = store.controllerEpoch();
    int next = current.map(v -> v.value() + 1).orElse(1);
    List<CuratorOp> ops = new ArrayList<>();
    try {
      if (current.isPresent()) {
        ops.add(
            store
                .ops()
                .setData()
                .withVersion(current.get().version())
                .forPath(ZkPaths.CONTROLLER_EPOCH, ZkPaths.encodeControllerEpoch(next)));
      } else {
        ops.add(
            store
                .ops()
                .create()
                .withMode(CreateMode.PERSISTENT)
                .forPath(ZkPaths.CONTROLLER_EPOCH, ZkPaths.encodeControllerEpoch(next)));
      }
      Optional<Stat> existing = store.stat(ZkPaths.CONTROLLER);
      if (existing.isPresent()) {
        ops.add(
            store
                .ops()
                .delete()
                .withVersion(existing.get().getVersion())
                .forPath(ZkPaths.CONTROLLER));
      }
      ops.add(
          store
              .ops()
              .create()
              .withMode(CreateMode.EPHEMERAL)
              .forPath(
                  ZkPaths.CONTROLLER,
                  ZkPaths.encodeController(brokerId, next, time.milliseconds())));
    } catch (Exception e) {
      throw new MetadataStoreException("ZooKeeper: could not build the epoch claim", e);
    }
    List<CuratorTransactionResult> results = store.commit(ops);
    int zkVersion =
        results.get(0).getResultStat() == null ? 0 : results.get(0).getResultStat().getVersion();
    if (current.isEmpty()) {
      zkVersion = 0;
    }
    return new FencedZkWriter(client, next, zkVersion);
  }

  /** The writer of the current claim, if any and still enabled. */
  public Optional<FencedZkWriter> currentWriter() {
    return Optional.ofNullable(writer.get()).filter(FencedZkWriter::isEnabled);
  }

  private boolean disableWriter() {
    FencedZkWriter w = writer.get();
    if (w != null && w.isEnabled()) {
      w.disable();
      return true;
    }
    return false;
  }

  /** Gives up leadership and leaves the election. Idempotent. */
  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    disableWriter();
    client.getConnectionStateListenable().removeListener(connectionListener);
    if (previous == State.STARTED) {
      try {
        latch.close();
      } catch (Exception e) {
        log.warn("Broker {}: closing the controller latch failed: {}", brokerId, e.toString());
      }
    }
  }
}
