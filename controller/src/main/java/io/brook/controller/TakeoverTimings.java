package io.brook.controller;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The phases of one controller takeover, logged (INFO, by {@code ActiveController}) once every live
 * broker answered the UpdateMetadata and LeaderAndIsr requests sent on activation. The log line is
 * {@link #toString()}; {@link #parse} reads it back (the takeover benchmark reads it from a
 * broker's log). All durations are in milliseconds from {@code startedAtMs} (wall clock, when the
 * epoch was claimed and loading began) and add up: {@code load + elect + send <= acknowledged}.
 *
 * @param load reading brokers, topics, configs and partition states from ZooKeeper
 * @param elect electing leaders for partitions whose leader is gone, written in ZooKeeper
 * @param send building the requests and handing them to the broker channels
 * @param acknowledged from {@code startedAtMs} until the last broker answered
 * @param allAcknowledged false when some broker could not be reached (left, or abandoned)
 * @param cpu CPU time of the controller's event thread for load, elect and send (ms): unlike the
 *     wall-clock phases, hardly changed by other processes competing for the cores
 */
public record TakeoverTimings(
    int controllerId,
    int epoch,
    int brokers,
    int topics,
    int partitions,
    int leadersElected,
    long startedAtMs,
    long load,
    long elect,
    long send,
    long acknowledged,
    boolean allAcknowledged,
    long cpu) {

  private static final Pattern LINE =
      Pattern.compile(
          "Controller (\\d+) took over in epoch (\\d+) at (\\d+): (\\d+) brokers, (\\d+) topics,"
              + " (\\d+) partitions; load (\\d+) ms, elect (\\d+) leaders (\\d+) ms, send (\\d+)"
              + " ms, (all|NOT all) brokers acknowledged after (\\d+) ms; event thread CPU"
              + " (\\d+) ms");

  @Override
  public String toString() {
    return String.format(
        "Controller %d took over in epoch %d at %d: %d brokers, %d topics, %d partitions;"
            + " load %d ms, elect %d leaders %d ms, send %d ms, %s brokers acknowledged after %d ms;"
            + " event thread CPU %d ms",
        controllerId,
        epoch,
        startedAtMs,
        brokers,
        topics,
        partitions,
        load,
        leadersElected,
        elect,
        send,
        allAcknowledged ? "all" : "NOT all",
        acknowledged,
        cpu);
  }

  /** The timings in a log line that contains {@link #toString()}; empty when it does not. */
  public static Optional<TakeoverTimings> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new TakeoverTimings(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(4)),
            Integer.parseInt(m.group(5)),
            Integer.parseInt(m.group(6)),
            Integer.parseInt(m.group(8)),
            Long.parseLong(m.group(3)),
            Long.parseLong(m.group(7)),
            Long.parseLong(m.group(9)),
            Long.parseLong(m.group(10)),
            Long.parseLong(m.group(12)),
            m.group(11).equals("all"),
            Long.parseLong(m.group(13))));
  }
}
