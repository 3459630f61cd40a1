package io.brook.controller.zk;

import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.zk.MetadataStoreException;
import io.brook.metadata.zk.ZkPaths;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/**
 * The only way the controller writes to ZooKeeper: every write is one multi-op transaction whose
 * first operation checks that {@code /controller_epoch} still has the version this controller set
 * when it was elected (Kafka's "controller epoch zkVersion" fencing). A controller that was
 * replaced therefore cannot write, even if it does not know yet that it was replaced. Partition
 * state writes are in addition conditional on the state znode's version (the partition epoch), see
 * {@link #updatePartitionState}.
 *
 * <p>{@link #disable()} (called from the connection-state listener on SUSPENDED / LOST, or on
 * resignation) makes every later write fail at once, without asking ZooKeeper.
 *
 * <p>Thread-safe; {@link #write} blocks on ZooKeeper, so it is called from the controller's event
 * thread only, never from a Curator callback.
 */
public final class FencedZkWriter {
  private final CuratorFramework client;
  private final int epoch;
  private final int epochZkVersion;
  private volatile boolean enabled = true;

  /**
   * @param epoch the controller epoch this controller was elected with
   * @param epochZkVersion the version of {@code /controller_epoch} holding that epoch
   */
  public FencedZkWriter(CuratorFramework client, int epoch, int epochZkVersion) {
    this.client = client;
    this.epoch = epoch;
    this.epochZkVersion = epochZkVersion;
  }

  public int epoch() {
    return epoch;
  }

  public int epochZkVersion() {
    return epochZkVersion;
  }

  /** Refuses every later write. Idempotent; callable from any thread. */
  public void disable() {
    enabled = false;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** The builder of operations to pass to {@link #write}. */
  public TransactionOp ops() {
    return client.transactionOp();
  }

  /** An operation that writes {@code next} conditional on {@code next.partitionEpoch()}. */
  public CuratorOp updatePartitionState(String topic, int partition, LeaderAndIsr next)
      throws Exception {
    return ops()
        .setData()
        .withVersion(next.partitionEpoch())
        .forPath(ZkPaths.partitionStatePath(topic, partition), ZkPaths.encodePartitionState(next));
  }

  /**
   * Applies {@code ops} atomically after checking the controller epoch.
   *
   * @return the results of {@code ops} (without the epoch check)
   * @throws ControllerMovedException when this writer is disabled or the epoch check fails
   * @throws MetadataStoreException when one of {@code ops} fails (nothing was applied); its code
   *     says why (BADVERSION for a stale partition epoch)
   */
  public List<CuratorTransactionResult> write(List<CuratorOp> ops) {
    if (!enabled) {
      throw new ControllerMovedException(
          "Controller epoch " + epoch + " is no longer active; refusing to write");
    }
    List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
    try {
      all.add(ops().check().withVersion(epochZkVersion).forPath(ZkPaths.CONTROLLER_EPOCH));
    } catch (Exception e) {
      throw new MetadataStoreException("ZooKeeper: could not build the epoch check", e);
    }
    all.addAll(ops);
    try {
      List<CuratorTransactionResult> results = client.transaction().forOperations(all);
      return results.subList(1, results.size());
    } catch (KeeperException e) {
      List<OpResult> results = e.getResults();
      boolean epochCheckFailed =
          results != null
                  && !results.isEmpty()
                  && results.get(0) instanceof OpResult.ErrorResult er
                  && er.getErr() != KeeperException.Code.OK.intValue()
                  && er.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()
              || (results == null && e.code() == KeeperException.Code.BADVERSION && ops.isEmpty());
      if (epochCheckFailed) {
        disable();
        throw new ControllerMovedException(
            "Controller epoch "
                + epoch
                + " (zkVersion "
                + epochZkVersion
                + ") was fenced: /controller_epoch changed, another controller is active",
            e);
      }
      throw new MetadataStoreException("ZooKeeper: controller transaction failed", e);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new MetadataStoreException("ZooKeeper: controller transaction failed", e);
    }
  }

  /** Builds one operation of a transaction (Curator's builders declare {@code Exception}). */
  @FunctionalInterface
  public interface OpBuilder {
    CuratorOp build() throws Exception;
  }

  /**
   * {@code b}'s operation, for {@link #write}; a builder failure becomes a {@link
   * MetadataStoreException}.
   */
  public static CuratorOp op(OpBuilder b) {
    try {
      return b.build();
    } catch (Exception e) {
      throw new MetadataStoreException("ZooKeeper: could not build an operation", e);
    }
  }
}
