package io.brook.broker.replica;

import io.brook.common.TopicPartition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A long-poll fetch waiting for {@code min_bytes} to become readable on its partitions, or for
 * {@code max_wait_ms}: a consumer's (readable = below the high watermark) or a follower's (readable
 * = up to the log end offset). The readable bytes are estimated without reading: the bytes the
 * first read returned plus the bytes appended since (for a consumer, only to partitions whose high
 * watermark is past the fetch offset). A change of leadership or leader epoch, or (for a consumer)
 * a high watermark below the fetch offset, also completes it (the new read then carries the error).
 * The answer, of type {@code R}, is a fresh read made when the operation completes.
 *
 * <p>Thread rules: {@link #tryComplete()} only reads volatile partition state and may run on any
 * thread; the final read runs once, on the completing thread.
 */
final class DelayedFetch<R> extends DelayedOperation {

  /**
   * One partition of the request, with what it looked like before the first read (so that an append
   * between the read and the wait is not taken as seen).
   */
  record Watched(
      TopicPartition tp,
      long fetchOffset,
      Partition partition,
      int leaderEpoch,
      long appendedBytes) {}

  private final List<Watched> watched;
  private final int minBytes;
  private final int bytesAtStart;
  private final boolean belowHighWatermark;
  private final Function<TopicPartition, Partition> partitions;
  private final Supplier<R> read;
  private final CompletableFuture<R> future = new CompletableFuture<>();

  /**
   * @param belowHighWatermark true for a consumer (only records below the high watermark count),
   *     false for a follower (everything appended counts)
   */
  DelayedFetch(
      long maxWaitMs,
      int minBytes,
      int bytesAtStart,
      boolean belowHighWatermark,
      List<Watched> watched,
      Function<TopicPartition, Partition> partitions,
      Supplier<R> read) {
    super(maxWaitMs);
    this.minBytes = minBytes;
    this.bytesAtStart = bytesAtStart;
    this.belowHighWatermark = belowHighWatermark;
    this.watched = watched;
    this.partitions = partitions;
    this.read = read;
  }

  CompletableFuture<R> future() {
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
        return forceComplete(); // created, deleted or re-created meanwhile
      }
      if (now == null) {
        continue;
      }
      if (!now.isLeader() || now.leaderEpoch() != w.leaderEpoch) {
        return forceComplete();
      }
      if (!belowHighWatermark) {
        available += now.appendedBytes() - w.appendedBytes;
        continue;
      }
      long hw = now.highWatermark();
      if (hw < w.fetchOffset) {
        return forceComplete(); // truncated below the fetch position
      }
      if (hw > w.fetchOffset) {
        available += now.appendedBytes() - w.appendedBytes;
      }
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
