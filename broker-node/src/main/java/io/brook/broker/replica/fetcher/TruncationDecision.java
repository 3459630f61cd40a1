package io.brook.broker.replica.fetcher;

/**
 * Where a follower truncates, given the leader's answer for an epoch (an OffsetForLeaderEpoch
 * answer, or a fetch response's diverging_epoch): Kafka's KIP-101 / KIP-279 rule
 * (AbstractFetcherThread.getOffsetTruncationState) as a pure function.
 *
 * <table>
 *   <caption>the rule</caption>
 *   <tr><th>leader answer</th><th>follower</th><th>truncate to</th><th>done</th></tr>
 *   <tr><td>end offset -1</td><td>any</td><td>min(HW, LEO)</td><td>yes</td></tr>
 *   <tr><td>epoch -1, end offset o</td><td>any</td><td>min(o, LEO)</td><td>yes</td></tr>
 *   <tr><td>(e, o)</td><td>has no epoch &lt;= e (its lookup answers -1)</td><td>min(o, LEO)</td>
 *       <td>yes</td></tr>
 *   <tr><td>(e, o)</td><td>largest epoch &lt;= e is f &lt; e, ending at fo</td><td>min(fo, LEO)</td>
 *       <td>no: ask again for the new latest epoch</td></tr>
 *   <tr><td>(e, o)</td><td>has e, ending at fo</td><td>min(o, fo, LEO)</td><td>yes</td></tr>
 * </table>
 */
public final class TruncationDecision {
  private TruncationDecision() {}

  /** The outcome: the offset to truncate to, and whether the log then agrees with the leader's. */
  public record Truncation(long offset, boolean completed) {}

  /**
   * @param leaderEpoch the largest epoch the leader has at or below the one asked for (-1: none)
   * @param leaderEndOffset the leader's end offset of {@code leaderEpoch} (-1: unknown)
   * @param followerEpoch the epoch of the follower's own lookup for {@code leaderEpoch} (its
   *     largest epoch at or below it; -1 when it has none)
   * @param followerEndOffset the follower's end offset of {@code followerEpoch} (-1: none)
   * @param followerLogEndOffset the follower's log end offset
   * @param followerHighWatermark the follower's high watermark
   */
  public static Truncation decide(
      int leaderEpoch,
      long leaderEndOffset,
      int followerEpoch,
      long followerEndOffset,
      long followerLogEndOffset,
      long followerHighWatermark) {
    if (leaderEndOffset < 0) {
      // The leader knows nothing at or below our epoch: only what was committed is safe.
      return new Truncation(Math.min(followerHighWatermark, followerLogEndOffset), true);
    }
    if (leaderEpoch < 0) {
      return new Truncation(Math.min(leaderEndOffset, followerLogEndOffset), true);
    }
    if (followerEpoch < 0 || followerEndOffset < 0) {
      // No epoch of ours at or below the leader's: its end offset is the safe bound.
      return new Truncation(Math.min(leaderEndOffset, followerLogEndOffset), true);
    }
    if (followerEpoch != leaderEpoch) {
      // We do not have the leader's epoch: drop what we have after our last epoch below it, then
      // ask again with that epoch.
      return new Truncation(Math.min(followerEndOffset, followerLogEndOffset), false);
    }
    return new Truncation(
        Math.min(Math.min(leaderEndOffset, followerEndOffset), followerLogEndOffset), true);
  }
}
