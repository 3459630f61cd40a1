package io.brook.client.tools;

import io.brook.common.TopicPartition;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The new offsets of {@code brook-consumer-groups.sh --reset-offsets}, as Kafka's
 * ConsumerGroupCommand.prepareOffsetsToReset computes them: a pure function of the reset target,
 * the partitions in scope and the offsets the command looked up (committed, log start, log end, by
 * timestamp). Requested offsets (--to-offset, --shift-by, --from-file) are clamped to [log start,
 * log end] with a warning; a timestamp past every record falls back to the log end. Stateless.
 */
final class OffsetResetPlanner {
  private OffsetResetPlanner() {}

  /** The reset target: one of Kafka's reset scenarios. */
  sealed interface Target {
    /** Whether the plan needs offsets looked up by timestamp. */
    default boolean needsTimestampLookup() {
      return false;
    }
  }

  record ToEarliest() implements Target {}

  record ToLatest() implements Target {}

  /** The committed offset; the log end for a partition without one. */
  record ToCurrent() implements Target {}

  record ToOffset(long offset) implements Target {}

  record ShiftBy(long shift) implements Target {}

  /** The first offset whose timestamp is at least {@code timestampMs}. */
  record ToDatetime(long timestampMs) implements Target {
    @Override
    public boolean needsTimestampLookup() {
      return true;
    }
  }

  /** The first offset at least {@code duration} old: a datetime relative to now. */
  record ByDuration(Duration duration) implements Target {
    @Override
    public boolean needsTimestampLookup() {
      return true;
    }
  }

  /** Offsets per partition (a --from-file plan for one group). */
  record FromFile(Map<TopicPartition, Long> offsets) implements Target {}

  /**
   * What the command looked up for the partitions in scope. {@code committed} has no entry (or a
   * null one) for a partition without a committed offset; {@code byTimestamp} maps to -1 when no
   * record is at or after the timestamp; a missing log start/end means the lookup failed.
   */
  record Offsets(
      Map<TopicPartition, Long> committed,
      Map<TopicPartition, Long> logStart,
      Map<TopicPartition, Long> logEnd,
      Map<TopicPartition, Long> byTimestamp) {}

  /** New offsets sorted by partition, and the warnings to print. */
  record Plan(Map<TopicPartition, Long> newOffsets, List<String> warnings) {}

  /** A partition's plan could not be computed (Kafka: printUsageAndExit with this message). */
  static final class PlanException extends RuntimeException {
    PlanException(String message) {
      super(message);
    }
  }

  /** The timestamp a time-based target looks up, {@code nowMs} being the current time. */
  static long timestampOf(Target target, long nowMs) {
    if (target instanceof ToDatetime d) {
      return d.timestampMs();
    }
    if (target instanceof ByDuration d) {
      return nowMs - d.duration().toMillis();
    }
    throw new IllegalArgumentException(target + " is not time based");
  }

  static Plan plan(Collection<TopicPartition> partitions, Target target, Offsets offsets) {
    Map<TopicPartition, Long> out = new TreeMap<>();
    List<String> warnings = new ArrayList<>();
    Collection<TopicPartition> scope =
        target instanceof FromFile f ? f.offsets().keySet() : partitions;
    for (TopicPartition tp : scope) {
      out.put(tp, newOffset(tp, target, offsets, warnings));
    }
    return new Plan(out, warnings);
  }

  private static long newOffset(
      TopicPartition tp, Target target, Offsets offsets, List<String> warnings) {
    if (target instanceof ToEarliest) {
      return require(offsets.logStart(), tp, "Error getting starting offset of topic partition: ");
    } else if (target instanceof ToLatest) {
      return require(offsets.logEnd(), tp, "Error getting ending offset of topic partition: ");
    } else if (target instanceof ToCurrent) {
      Long committed = offsets.committed().get(tp);
      return committed != null
          ? committed
          : require(offsets.logEnd(), tp, "Error getting ending offset of topic partition: ");
    } else if (target instanceof ToOffset o) {
      return clamp(tp, o.offset(), offsets, warnings);
    } else if (target instanceof ShiftBy s) {
      Long committed = offsets.committed().get(tp);
      if (committed == null) {
        throw new PlanException(
            "Cannot shift offset for partition "
                + tp
                + " since there is no current committed offset");
      }
      return clamp(tp, committed + s.shift(), offsets, warnings);
    } else if (target.needsTimestampLookup()) {
      return byTimestamp(tp, offsets, warnings);
    } else if (target instanceof FromFile f) {
      return clamp(tp, f.offsets().get(tp), offsets, warnings);
    }
    throw new IllegalArgumentException("unknown reset target " + target);
  }

  private static long byTimestamp(TopicPartition tp, Offsets offsets, List<String> warnings) {
    Long found = offsets.byTimestamp().get(tp);
    if (found == null) {
      throw new PlanException("Error getting offset by timestamp of topic partition: " + tp);
    }
    if (found >= 0) {
      return found;
    }
    warnings.add(
        "Warn: Partition "
            + tp.partition()
            + " from topic "
            + tp.topic()
            + " is empty. Falling back to latest known offset.");
    return require(offsets.logEnd(), tp, "Error getting ending offset of topic partition: ");
  }

  private static long require(Map<TopicPartition, Long> m, TopicPartition tp, String error) {
    Long v = m.get(tp);
    if (v == null) {
      throw new PlanException(error + tp);
    }
    return v;
  }

  /** Kafka's checkOffsetsRange: into [log start, log end], saying so. */
  private static long clamp(
      TopicPartition tp, long offset, Offsets offsets, List<String> warnings) {
    Long end = offsets.logEnd().get(tp);
    if (end == null) {
      throw new PlanException("Unexpected non-existing offset value for topic partition " + tp);
    }
    if (offset > end) {
      warnings.add(
          "WARN: New offset ("
              + offset
              + ") is higher than latest offset for topic partition "
              + tp
              + ". Value will be set to "
              + end);
      return end;
    }
    Long start = offsets.logStart().get(tp);
    if (start != null && offset < start) {
      warnings.add(
          "WARN: New offset ("
              + offset
              + ") is lower than earliest offset for topic partition "
              + tp
              + ". Value will be set to "
              + start);
      return start;
    }
    return offset;
  }

  // ------------------------------------------------------------------ argument parsing

  /**
   * Kafka's Utils.getDateTime: {@code yyyy-MM-ddTHH:mm:ss.SSS} or without millis, with an offset
   * ({@code +hh:mm}, {@code -hh:mm}, {@code Z}); without one the time is UTC.
   */
  static long parseDateTime(String timestamp) {
    String[] parts = timestamp.split("T");
    if (parts.length < 2) {
      throw new ToolArgs.UsageException(
          "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format: "
              + timestamp);
    }
    String time = parts[1];
    String t = timestamp;
    if (!(time.contains("+") || time.contains("-") || time.contains("Z"))) {
      t = timestamp + "Z";
    }
    for (String pattern : List.of("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ssXXX")) {
      SimpleDateFormat f = new SimpleDateFormat(pattern);
      f.setLenient(false);
      try {
        return f.parse(t).getTime();
      } catch (ParseException e) {
        // try the next format
      }
    }
    throw new ToolArgs.UsageException(
        "Error parsing timestamp '"
            + timestamp
            + "': expected the format yyyy-MM-ddTHH:mm:SS.sss[+hh:mm|-hh:mm|Z]");
  }

  /** An ISO-8601 duration ({@code PnDTnHnMnS}), as Kafka's --by-duration (Duration.parse). */
  static Duration parseDuration(String s) {
    try {
      Duration d = Duration.parse(s);
      if (d.isNegative()) {
        throw new ToolArgs.UsageException("--by-duration must not be negative: " + s);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new ToolArgs.UsageException(
          "Invalid value for --by-duration: " + s + " (expected an ISO-8601 duration: PnDTnHnMnS)");
    }
  }

  /**
   * A --from-file plan (Kafka's CSV): lines {@code topic,partition,offset} for one group, or {@code
   * group,topic,partition,offset}; the result is keyed by group ({@code defaultGroup} for
   * three-column lines).
   */
  static Map<String, Map<TopicPartition, Long>> parseResetPlan(
      List<String> lines, String defaultGroup) {
    Map<String, Map<TopicPartition, Long>> out = new TreeMap<>();
    for (String raw : lines) {
      String line = raw.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      String group;
      int i;
      if (f.length == 3) {
        if (defaultGroup == null) {
          throw new ToolArgs.UsageException(
              "Reset plan line '" + line + "' has no group and more than one group was given");
        }
        group = defaultGroup;
        i = 0;
      } else if (f.length == 4) {
        group = f[0].trim();
        i = 1;
      } else {
        throw new ToolArgs.UsageException(
            "Invalid reset plan line '"
                + line
                + "': expected topic,partition,offset or group,topic,partition,offset");
      }
      try {
        out.computeIfAbsent(group, g -> new TreeMap<>())
            .put(
                new TopicPartition(f[i].trim(), Integer.parseInt(f[i + 1].trim())),
                Long.parseLong(f[i + 2].trim()));
      } catch (NumberFormatException e) {
        throw new ToolArgs.UsageException(
            "Invalid reset plan line '" + line + "': " + e.getMessage());
      }
    }
    return out;
  }

  /** Kafka's exportOffsetsToCsv: one group without the group column, several with it. */
  static String toCsv(Map<String, Map<TopicPartition, Long>> plans) {
    StringBuilder b = new StringBuilder();
    boolean withGroup = plans.size() > 1;
    plans.forEach(
        (group, offsets) ->
            offsets.forEach(
                (tp, offset) -> {
                  if (withGroup) {
                    b.append(group).append(',');
                  }
                  b.append(tp.topic())
                      .append(',')
                      .append(tp.partition())
                      .append(',')
                      .append(offset)
                      .append('\n');
                }));
    return b.toString();
  }
}
