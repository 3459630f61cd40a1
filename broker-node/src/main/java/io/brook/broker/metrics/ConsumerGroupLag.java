package io.brook.broker.metrics;

import io.brook.broker.group.GroupCoordinator;
import io.brook.broker.replica.Partition;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListedGroup;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopicResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The lag of every group this broker coordinates, computed at scrape time: for each partition with
 * a committed offset, the high watermark of the partition minus the committed offset (never
 * negative).
 *
 * <p>The high watermark is read locally, never over the network: the leader's own when this broker
 * leads the partition, otherwise the high watermark its follower replica last learned from the
 * leader (at most one fetch behind). Partitions with no replica on this broker have no lag series
 * here (their committed offset is still reported); a scrape costs one pass over the coordinator's
 * groups and nothing else.
 */
public final class ConsumerGroupLag {

  /** One partition of one group. {@code lag} is -1 when this broker has no replica of it. */
  public record Entry(String group, TopicPartition tp, long committedOffset, long lag) {}

  private final GroupCoordinator coordinator;
  private final Function<TopicPartition, Optional<Partition>> replicas;

  /**
   * @param replicas this broker's replica of a partition, if it hosts one
   */
  public ConsumerGroupLag(
      GroupCoordinator coordinator, Function<TopicPartition, Optional<Partition>> replicas) {
    this.coordinator = coordinator;
    this.replicas = replicas;
  }

  /** The committed offsets and lags of the groups loaded on this coordinator. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    for (ListedGroup g :
        coordinator.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList()) {
      OffsetFetchResponse r =
          coordinator
              .offsetFetch(
                  OffsetFetchRequest.newBuilder()
                      .setGroupId(g.getGroupId())
                      .setAllTopics(true)
                      .build())
              .getNow(null);
      if (r == null) {
        continue;
      }
      for (OffsetFetchTopicResponse t : r.getTopicsList()) {
        for (OffsetFetchPartitionResponse p : t.getPartitionsList()) {
          long committed = p.getCommittedOffset();
          if (committed < 0) {
            continue;
          }
          TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
          long lag =
              replicas
                  .apply(tp)
                  .map(Partition::highWatermark)
                  .filter(hw -> hw >= 0)
                  .map(hw -> Math.max(0, hw - committed))
                  .orElse(-1L);
          out.add(new Entry(g.getGroupId(), tp, committed, lag));
        }
      }
    }
    return out;
  }
}
