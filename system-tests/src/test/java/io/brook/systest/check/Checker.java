package io.brook.systest.check;

import io.brook.systest.check.CheckReport.TopicResult;
import io.brook.systest.check.DumpLogParser.DumpedBatch;
import io.brook.systest.check.FinalRead.OffsetValue;
import io.brook.systest.check.History.Event;
import io.brook.systest.check.History.Read;
import io.brook.systest.check.History.Seek;
import io.brook.systest.check.History.SendAttempt;
import io.brook.systest.check.History.SendFailed;
import io.brook.systest.check.History.SendOk;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a run from what the clients did and saw ({@link History}), the final read of every
 * partition ({@link FinalRead}) and every replica's own files ({@link ReplicaLog}). Pure: no I/O,
 * no clock; the same inputs always give the same {@link CheckReport}. The rule of each count is on
 * its {@link Anomaly} constant.
 *
 * <p>The checker trusts only what is proven: a record whose send failed <i>indeterminately</i> (or
 * never completed) may be in the log or not, and either is fine; a record whose send failed
 * <i>definitely</i> must never be read. Replica records above the final high watermark are not
 * compared (they are not committed), nor are replicas' records below their log start (none here:
 * the topics have no retention during a run).
 *
 * <p>Stateless and thread-safe.
 */
public final class Checker {
  /** How many examples of each anomaly a report keeps per topic. */
  public static final int EXAMPLES = 5;

  private Checker() {}

  /**
   * Everything known about one topic.
   *
   * @param events the topic's history, in order
   * @param finalReads by partition; a partition without one counts as empty with HW 0
   * @param replicas every replica of every partition of the topic (any order)
   */
  public record TopicInput(
      String topic,
      AckMode acks,
      List<Event> events,
      Map<Integer, FinalRead> finalReads,
      List<ReplicaLog> replicas) {
    public TopicInput {
      events = List.copyOf(events);
      finalReads = Map.copyOf(finalReads);
      replicas = List.copyOf(replicas);
    }
  }

  public static CheckReport check(List<TopicInput> topics) {
    List<TopicResult> results = new ArrayList<>();
    for (TopicInput t : topics) {
      results.add(new TopicCheck(t).run());
    }
    return new CheckReport(results);
  }

  /** A place a value was seen at. */
  private record Position(int partition, long offset) {
    @Override
    public String toString() {
      return partition + "@" + offset;
    }
  }

  /** The per-topic computation; single use, single thread. */
  private static final class TopicCheck {
    private final TopicInput in;
    private final Map<Anomaly, Long> counts = new EnumMap<>(Anomaly.class);
    private final Map<Anomaly, List<String>> examples = new EnumMap<>(Anomaly.class);

    private final Set<String> attempted = new HashSet<>();
    private final Set<String> failedDefinitely = new HashSet<>();
    private final Set<String> failedIndeterminately = new HashSet<>();
    private final List<SendOk> acknowledged = new ArrayList<>();

    /** Final read by partition, offset -> value. */
    private final Map<Integer, TreeMap<Long, String>> fin = new HashMap<>();

    TopicCheck(TopicInput in) {
      this.in = in;
      for (Anomaly a : Anomaly.values()) {
        counts.put(a, 0L);
        examples.put(a, new ArrayList<>());
      }
    }

    TopicResult run() {
      indexSends();
      indexFinalRead();
      checkLost();
      checkDuplicates();
      checkTwoValuesAndUnexpected();
      checkSkips();
      checkDivergent();
      checkVanished();
      long completedOk = acknowledged.size();
      Set<String> completed = new HashSet<>(failedDefinitely);
      completed.addAll(failedIndeterminately);
      acknowledged.forEach(ok -> completed.add(ok.value()));
      long indeterminate = attempted.stream().filter(v -> !completed.contains(v)).count();
      indeterminate += failedIndeterminately.size();
      return new TopicResult(
          in.topic(),
          in.acks(),
          attempted.size(),
          completedOk,
          failedDefinitely.size(),
          indeterminate,
          counts,
          examples);
    }

    private void indexSends() {
      for (Event e : in.events()) {
        if (e instanceof SendAttempt a) {
          attempted.add(a.value());
        } else if (e instanceof SendOk ok) {
          acknowledged.add(ok);
        } else if (e instanceof SendFailed f) {
          if (f.definite()) {
            failedDefinitely.add(f.value());
          } else {
            failedIndeterminately.add(f.value());
          }
        }
      }
    }

    private void indexFinalRead() {
      for (FinalRead r : in.finalReads().values()) {
        TreeMap<Long, String> m = fin.computeIfAbsent(r.tp().partition(), p -> new TreeMap<>());
        for (OffsetValue ov : r.records()) {
          m.putIfAbsent(ov.offset(), ov.value());
        }
      }
    }

    private String finalValue(int partition, long offset) {
      TreeMap<Long, String> m = fin.get(partition);
      return m == null ? null : m.get(offset);
    }

    private long highWatermark(int partition) {
      FinalRead r = in.finalReads().get(partition);
      return r == null ? 0 : r.highWatermark();
    }

    private void checkLost() {
      Set<String> anywhere = new HashSet<>();
      fin.values().forEach(m -> anywhere.addAll(m.values()));
      for (SendOk ok : acknowledged) {
        if (ok.offset() >= 0) {
          String there = finalValue(ok.partition(), ok.offset());
          if (!ok.value().equals(there)) {
            report(
                Anomaly.LOST,
                "acknowledged at "
                    + ok.partition()
                    + "@"
                    + ok.offset()
                    + " but the final read has "
                    + (there == null ? "nothing" : there)
                    + " there: "
                    + ok.value());
          }
        } else if (!anywhere.contains(ok.value())) {
          report(
              Anomaly.LOST,
              "acknowledged (no offset) for partition "
                  + ok.partition()
                  + " but not in the final read: "
                  + ok.value());
        }
      }
    }

    private void checkDuplicates() {
      Map<String, Set<Position>> where = new LinkedHashMap<>();
      for (Event e : in.events()) {
        if (e instanceof Read r) {
          where
              .computeIfAbsent(r.value(), v -> new LinkedHashSet<>())
              .add(new Position(r.partition(), r.offset()));
        }
      }
      for (var byPartition : new TreeMap<>(fin).entrySet()) {
        for (var ov : byPartition.getValue().entrySet()) {
          where
              .computeIfAbsent(ov.getValue(), v -> new LinkedHashSet<>())
              .add(new Position(byPartition.getKey(), ov.getKey()));
        }
      }
      for (var e : where.entrySet()) {
        if (e.getValue().size() > 1) {
          report(Anomaly.DUPLICATES, "at " + e.getValue() + ": " + e.getKey());
        }
      }
    }

    /** Every (position, value) seen by consumers, the final read and replicas below the HW. */
    private Map<Position, Map<String, String>> observations() {
      Map<Position, Map<String, String>> seen = new TreeMap<>(Checker::comparePositions);
      for (Event e : in.events()) {
        if (e instanceof Read r) {
          note(
              seen, new Position(r.partition(), r.offset()), r.value(), "consumer " + r.consumer());
        }
      }
      for (var byPartition : fin.entrySet()) {
        for (var ov : byPartition.getValue().entrySet()) {
          note(seen, new Position(byPartition.getKey(), ov.getKey()), ov.getValue(), "final read");
        }
      }
      for (ReplicaLog replica : in.replicas()) {
        long hw = highWatermark(replica.tp().partition());
        for (var r : replica.records().headMap(hw, false).entrySet()) {
          note(
              seen,
              new Position(replica.tp().partition(), r.getKey()),
              r.getValue(),
              "replica on broker " + replica.brokerId());
        }
      }
      return seen;
    }

    private static void note(
        Map<Position, Map<String, String>> seen, Position p, String value, String source) {
      seen.computeIfAbsent(p, x -> new LinkedHashMap<>())
          .putIfAbsent(String.valueOf(value), source);
    }

    private void checkTwoValuesAndUnexpected() {
      for (var e : observations().entrySet()) {
        Position p = e.getKey();
        Map<String, String> values = e.getValue();
        if (values.size() > 1) {
          report(Anomaly.TWO_VALUES, "at " + p + ": " + values);
        }
        for (var v : values.entrySet()) {
          String why = unexpectedReason(p, v.getKey());
          if (why != null) {
            report(
                Anomaly.UNEXPECTED,
                why + " at " + p + " (first seen by " + v.getValue() + "): " + v.getKey());
          }
        }
      }
    }

    /** Why {@code value} must not be at {@code p}, or null if it may be. */
    private String unexpectedReason(Position p, String value) {
      Optional<ValueCodec.Decoded> d = ValueCodec.decode(value);
      if (d.isEmpty()) {
        return "fails its checksum or format";
      }
      if (!d.get().topic().equals(in.topic()) || d.get().partition() != p.partition()) {
        return "meant for " + d.get().topic() + "-" + d.get().partition();
      }
      if (!attempted.contains(value)) {
        return "never sent";
      }
      if (failedDefinitely.contains(value)) {
        return "its send failed definitely";
      }
      return null;
    }

    private void checkSkips() {
      // consumer -> partition -> expected next offset (absent: no expectation yet)
      Map<String, Map<Integer, Long>> expected = new HashMap<>();
      for (Event e : in.events()) {
        if (e instanceof Seek s) {
          expected
              .computeIfAbsent(s.consumer(), c -> new HashMap<>())
              .put(s.partition(), s.offset());
        } else if (e instanceof Read r) {
          Map<Integer, Long> m = expected.computeIfAbsent(r.consumer(), c -> new HashMap<>());
          Long want = m.get(r.partition());
          if (want != null && want != r.offset()) {
            report(
                Anomaly.SKIPS,
                "consumer "
                    + r.consumer()
                    + " expected "
                    + r.partition()
                    + "@"
                    + want
                    + " but read "
                    + r.partition()
                    + "@"
                    + r.offset()
                    + " (poll "
                    + r.poll()
                    + ")");
          }
          m.put(r.partition(), r.offset() + 1);
        }
      }
      for (FinalRead r : new TreeMap<>(in.finalReads()).values()) {
        long want = 0;
        for (OffsetValue ov : r.records()) {
          if (ov.offset() != want) {
            report(
                Anomaly.SKIPS,
                "final read of " + r.tp() + " expected offset " + want + " but got " + ov.offset());
          }
          want = ov.offset() + 1;
        }
        if (want < r.highWatermark()) {
          report(
              Anomaly.SKIPS,
              "final read of "
                  + r.tp()
                  + " ended at "
                  + want
                  + " below its high watermark "
                  + r.highWatermark());
        }
      }
    }

    private void checkDivergent() {
      List<ReplicaLog> sorted = new ArrayList<>(in.replicas());
      sorted.sort(
          (a, b) ->
              a.tp().partition() != b.tp().partition()
                  ? Integer.compare(a.tp().partition(), b.tp().partition())
                  : Integer.compare(a.brokerId(), b.brokerId()));
      for (ReplicaLog replica : sorted) {
        int partition = replica.tp().partition();
        long hw = highWatermark(partition);
        String why = null;
        for (DumpedBatch b : replica.invalidBatches()) {
          if (b.baseOffset() < hw) {
            why =
                "invalid batch (baseOffset "
                    + b.baseOffset()
                    + ", position "
                    + b.position()
                    + ") below the HW "
                    + hw;
            break;
          }
        }
        if (why == null && replica.overlappingOffsets() > 0) {
          why = replica.overlappingOffsets() + " offsets are held by two valid batches";
        }
        for (long o = 0; why == null && o < hw; o++) {
          String want = finalValue(partition, o);
          String have = replica.records().get(o);
          if (!Objects.equals(want, have)) {
            why =
                "at offset "
                    + o
                    + " (HW "
                    + hw
                    + ") the final read has "
                    + (want == null ? "nothing" : want)
                    + " but the replica has "
                    + (have == null ? "nothing" : have);
          }
        }
        if (why != null) {
          report(
              Anomaly.DIVERGENT, "broker " + replica.brokerId() + " " + replica.tp() + ": " + why);
        }
      }
    }

    private void checkVanished() {
      Set<String> done = new HashSet<>();
      for (Event e : in.events()) {
        if (e instanceof Read r) {
          String there = finalValue(r.partition(), r.offset());
          if (!Objects.equals(r.value(), there)
              && done.add(r.partition() + "@" + r.offset() + "=" + r.value())) {
            report(
                Anomaly.VANISHED,
                "consumer "
                    + r.consumer()
                    + " read "
                    + r.partition()
                    + "@"
                    + r.offset()
                    + " but the final read has "
                    + (there == null ? "nothing" : there)
                    + " there: "
                    + r.value());
          }
        }
      }
    }

    private void report(Anomaly a, String example) {
      counts.merge(a, 1L, Long::sum);
      List<String> list = examples.get(a);
      if (list.size() < EXAMPLES) {
        list.add(example);
      }
    }
  }

  private static int comparePositions(Position a, Position b) {
    return a.partition() != b.partition()
        ? Integer.compare(a.partition(), b.partition())
        : Long.compare(a.offset(), b.offset());
  }
}
