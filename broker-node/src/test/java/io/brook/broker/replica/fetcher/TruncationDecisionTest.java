package io.brook.broker.replica.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.broker.replica.fetcher.TruncationDecision.Truncation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The truncation rule as a table: the leader's answer against the follower's epochs. */
class TruncationDecisionTest {

  /**
   * One row. The follower's epochs are given as (epoch, start offset) pairs, oldest first; its own
   * lookup for the leader's epoch is computed from them with Kafka's semantics.
   */
  record Row(
      String why,
      int leaderEpoch,
      long leaderEnd,
      List<long[]> followerEpochs,
      long followerLeo,
      long followerHw,
      long expectedOffset,
      boolean expectedCompleted) {}

  static long[] e(long epoch, long start) {
    return new long[] {epoch, start};
  }

  /** Kafka's LeaderEpochFileCache.endOffsetFor over the given (epoch, start) list. */
  static long[] endOffsetFor(List<long[]> epochs, int requested, long leo) {
    if (epochs.isEmpty()) {
      return new long[] {-1, -1};
    }
    if (requested == epochs.get(epochs.size() - 1)[0]) {
      return new long[] {requested, leo};
    }
    long[] floor = null;
    for (long[] x : epochs) {
      if (x[0] > requested) {
        return new long[] {floor == null ? requested : floor[0], x[1]};
      }
      floor = x;
    }
    return new long[] {-1, -1};
  }

  static final List<Row> TABLE =
      List.of(
          new Row(
              "leader knows nothing: truncate to HW", -1, -1, List.of(e(3, 0)), 50, 20, 20, true),
          new Row("leader knows nothing, HW at LEO", -1, -1, List.of(e(3, 0)), 50, 50, 50, true),
          new Row(
              "leader without epochs: its end offset", -1, 30, List.of(e(3, 0)), 50, 10, 30, true),
          new Row(
              "same latest epoch, leader ahead: nothing",
              3,
              80,
              List.of(e(3, 0)),
              50,
              10,
              50,
              true),
          new Row("same latest epoch, leader behind", 3, 40, List.of(e(3, 0)), 50, 10, 40, true),
          new Row(
              "leader ended our older epoch earlier (KIP-279)",
              2,
              25,
              List.of(e(1, 0), e(2, 20), e(3, 30)),
              50,
              10,
              25,
              true),
          new Row(
              "leader's epoch ends after ours: our end of that epoch",
              2,
              45,
              List.of(e(1, 0), e(2, 20), e(3, 30)),
              50,
              10,
              30,
              true),
          new Row(
              "we lack the leader's epoch: drop to our end below it, ask again",
              2,
              45,
              List.of(e(1, 0), e(3, 30)),
              50,
              10,
              30,
              false),
          new Row(
              "we have no epoch at or below the leader's: its end offset",
              1,
              15,
              List.of(e(4, 10), e(5, 30)),
              50,
              10,
              10,
              true),
          new Row(
              "leader end past our log end: never beyond LEO",
              3,
              500,
              List.of(e(3, 0)),
              50,
              10,
              50,
              true));

  @Test
  void table() {
    for (Row r : TABLE) {
      long[] own = {-1, -1};
      if (r.leaderEpoch >= 0 && r.leaderEnd >= 0) {
        own = endOffsetFor(r.followerEpochs, r.leaderEpoch, r.followerLeo);
      }
      Truncation t =
          TruncationDecision.decide(
              r.leaderEpoch, r.leaderEnd, (int) own[0], own[1], r.followerLeo, r.followerHw);
      assertEquals(new Truncation(r.expectedOffset, r.expectedCompleted), t, r.why);
    }
  }
}
