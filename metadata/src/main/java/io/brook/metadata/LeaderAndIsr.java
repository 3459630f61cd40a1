package io.brook.metadata;

import java.util.List;

/**
 * The leader and ISR of one partition, as stored in {@code
 * /brokers/topics/<t>/partitions/<p>/state}. Immutable.
 *
 * @param leader broker id of the leader, {@link #NO_LEADER} when the partition is offline
 * @param leaderEpoch incremented at every leader change (and ISR change made by the controller)
 * @param isr in-sync replicas
 * @param controllerEpoch the epoch of the controller that wrote this state
 * @param partitionEpoch the znode version of the state znode ({@link #UNKNOWN_PARTITION_EPOCH}
 *     before it is written)
 */
public record LeaderAndIsr(
    int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch, int partitionEpoch) {
  public static final int NO_LEADER = -1;
  public static final int INITIAL_LEADER_EPOCH = 0;
  public static final int UNKNOWN_PARTITION_EPOCH = -1;

  public LeaderAndIsr {
    isr = List.copyOf(isr);
  }

  /** The state of a new partition, before it is written. */
  public static LeaderAndIsr initial(int leader, List<Integer> isr, int controllerEpoch) {
    return new LeaderAndIsr(
        leader, INITIAL_LEADER_EPOCH, isr, controllerEpoch, UNKNOWN_PARTITION_EPOCH);
  }

  public boolean hasLeader() {
    return leader != NO_LEADER;
  }

  /**
   * The next state with {@code newLeader} and {@code newIsr}: leader epoch + 1, written by {@code
   * controllerEpoch}; the partition epoch stays the one the write must be conditional on.
   */
  public LeaderAndIsr newLeaderAndIsr(int newLeader, List<Integer> newIsr, int controllerEpoch) {
    return new LeaderAndIsr(newLeader, leaderEpoch + 1, newIsr, controllerEpoch, partitionEpoch);
  }

  /**
   * The next state with the same leader and leader epoch and {@code newIsr} (an ISR change the
   * leader asked for with AlterPartition, KIP-497: the leader epoch does not move); the partition
   * epoch stays the one the write must be conditional on.
   */
  public LeaderAndIsr withIsr(List<Integer> newIsr, int controllerEpoch) {
    return new LeaderAndIsr(leader, leaderEpoch, newIsr, controllerEpoch, partitionEpoch);
  }

  public LeaderAndIsr withPartitionEpoch(int newPartitionEpoch) {
    return new LeaderAndIsr(leader, leaderEpoch, isr, controllerEpoch, newPartitionEpoch);
  }
}
