package io.brook.broker.replica;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ReplicaFetchResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A follower's long-poll fetch waiting for {@code min_bytes} to be appended to its partitions (a
 * follower reads up to the log end offset, not the high watermark), or for {@code max_wait_ms}. The
 * bytes are estimated without reading: the bytes the first read returned plus the bytes appended
 * since. A change of leadership or leader epoch also completes it (the new read then carries the
 * error). The answer is a fresh read made when the operation completes.
 *
 * <p>Thread rules: {@link #tryComplete()} only reads volatile partition state and may run on any
 * thread; the final read runs once, on the completing thread.
 */
final class DelayedReplicaFetch extends DelayedOperation {

  /** One partition of the request, with what it looked like when the fetch started to wait. */
  record Watched(TopicPartition tp, Partition partition, int leaderEpoch, long appendedBytes) {}

  private final List<Watched> watched;
  private final int minBytes;
  private final int bytesAtStart;
  private final Function<TopicPartition, Partition> partitions;
  private final Supplier<ReplicaFetchResponse> read;
  private final CompletableFuture<ReplicaFetchResponse> future = new CompletableFuture<>();

  DelayedReplicaFetch(
      long maxWaitMs,
      int minBytes,
      int bytesAtStart,
      List<Watched> watched,
      Function<TopicPartition, Partition> partitions,
      Supplier<ReplicaFetchResponse> read) {
    super(maxWaitMs);
    this.minBytes = minBytes;
    this.bytesAtStart = bytesAtStart;
    this.watched = watched;
    this.partitions = partitions;
    this.read = read;
  }

  CompletableFuture<ReplicaFetchResponse> future() {
    return future;
  }

  List<TopicPartition> keys() {
    return watched.stream().map(Watched::tp).toList();
  }

  @Override
  protected boolean tryComplete() {
    long available = bytesAtStart;
    for (Watched w : watched) {
      Partition now = partitions.apply(w.tp);
      if (now != w.partition) {
        return forceComplete();
      }
      if (now == null) {
        continue;
      }
      if (!now.isLeader() || now.leaderEpoch() != w.leaderEpoch) {
        return forceComplete();
      }
      available += now.appendedBytes() - w.appendedBytes;
    }
    return available >= minBytes && forceComplete();
  }

  @Override
  protected void onComplete() {
    try {
      future.complete(read.get());
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
  }
}
