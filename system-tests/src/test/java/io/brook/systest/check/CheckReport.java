package io.brook.systest.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Checker}'s verdict on one run: per topic, the counts of acknowledged writes and of
 * every {@link Anomaly}, with the first few examples of each. Immutable.
 *
 * <p>{@link #assertSafe()} is the scenario's safety assertion: for an acks=all topic every anomaly
 * count must be zero; for acks=1 / acks=0 topics losses and duplicates are only reported (see
 * {@link Anomaly#mustBeZero}). The per-count accessors serve the negative controls, which assert
 * that a fault switch <i>does</i> cause losses.
 */
public final class CheckReport {

  /**
   * One topic's counts.
   *
   * @param sent distinct values the producer attempted to send
   * @param acknowledged sends the client reported as successful
   * @param definiteFailures sends that provably never reached the log
   * @param indeterminate sends that failed otherwise or never completed: in the log or not
   * @param counts every anomaly, zero included
   * @param examples up to {@link Checker#EXAMPLES} descriptions per anomaly
   */
  public record TopicResult(
      String topic,
      AckMode acks,
      long sent,
      long acknowledged,
      long definiteFailures,
      long indeterminate,
      Map<Anomaly, Long> counts,
      Map<Anomaly, List<String>> examples) {
    public TopicResult {
      counts = Collections.unmodifiableMap(new EnumMap<>(counts));
      EnumMap<Anomaly, List<String>> ex = new EnumMap<>(Anomaly.class);
      examples.forEach((a, l) -> ex.put(a, List.copyOf(l)));
      examples = Collections.unmodifiableMap(ex);
    }

    public long count(Anomaly a) {
      return counts.getOrDefault(a, 0L);
    }

    /** The counts that break this topic's rule, as "name=count" (empty when safe). */
    public List<String> violations() {
      List<String> out = new ArrayList<>();
      for (Anomaly a : Anomaly.values()) {
        if (a.mustBeZero(acks) && count(a) > 0) {
          out.add(a.column() + "=" + count(a));
        }
      }
      return out;
    }
  }

  private final List<TopicResult> topics;

  public CheckReport(List<TopicResult> topics) {
    this.topics = List.copyOf(topics);
  }

  public List<TopicResult> topics() {
    return topics;
  }

  /**
   * @throws IllegalArgumentException if the report has no such topic
   */
  public TopicResult topic(String topic) {
    for (TopicResult t : topics) {
      if (t.topic().equals(topic)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no topic " + topic + " in the report; it has " + names());
  }

  public long count(String topic, Anomaly a) {
    return topic(topic).count(a);
  }

  public long acknowledged(String topic) {
    return topic(topic).acknowledged();
  }

  public long lostCount(String topic) {
    return count(topic, Anomaly.LOST);
  }

  public long duplicatesCount(String topic) {
    return count(topic, Anomaly.DUPLICATES);
  }

  public long twoValuesCount(String topic) {
    return count(topic, Anomaly.TWO_VALUES);
  }

  public long unexpectedCount(String topic) {
    return count(topic, Anomaly.UNEXPECTED);
  }

  public long skipsCount(String topic) {
    return count(topic, Anomaly.SKIPS);
  }

  public long divergentCount(String topic) {
    return count(topic, Anomaly.DIVERGENT);
  }

  public long vanishedCount(String topic) {
    return count(topic, Anomaly.VANISHED);
  }

  /** Whether no topic breaks its rule. */
  public boolean isSafe() {
    return topics.stream().allMatch(t -> t.violations().isEmpty());
  }

  /**
   * Fails with the table and the first examples of every non-zero count unless {@link #isSafe()}.
   *
   * @throws AssertionError naming each topic's violations
   */
  public void assertSafe() {
    if (isSafe()) {
      return;
    }
    StringBuilder sb = new StringBuilder("the checker found safety violations:");
    for (TopicResult t : topics) {
      if (!t.violations().isEmpty()) {
        sb.append(' ').append(t.topic()).append(": ").append(String.join(", ", t.violations()));
        sb.append(';');
      }
    }
    sb.append('\n').append(this);
    throw new AssertionError(sb.toString());
  }

  /** One row per topic: acks, sent, acknowledged, definite / indeterminate failures, anomalies. */
  public String table() {
    List<String> header =
        new ArrayList<>(List.of("topic", "acks", "sent", "acked", "defFail", "indet"));
    for (Anomaly a : Anomaly.values()) {
      header.add(a.column());
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(header);
    for (TopicResult t : topics) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  t.topic(),
                  t.acks().acksConfig(),
                  Long.toString(t.sent()),
                  Long.toString(t.acknowledged()),
                  Long.toString(t.definiteFailures()),
                  Long.toString(t.indeterminate())));
      for (Anomaly a : Anomaly.values()) {
        row.add(Long.toString(t.count(a)));
      }
      rows.add(row);
    }
    int[] widths = new int[header.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : rows) {
      sb.append('|');
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        sb.append(' ');
        if (i == 0) {
          sb.append(cell).append(" ".repeat(widths[i] - cell.length()));
        } else {
          sb.append(" ".repeat(widths[i] - cell.length())).append(cell);
        }
        sb.append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The table followed by the examples of every non-zero count. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(table());
    for (TopicResult t : topics) {
      for (Anomaly a : Anomaly.values()) {
        if (t.count(a) == 0) {
          continue;
        }
        sb.append(t.topic())
            .append(' ')
            .append(a.column())
            .append(" (")
            .append(t.count(a))
            .append(a.mustBeZero(t.acks()) ? ", must be 0" : ", reported only")
            .append("), first examples:\n");
        for (String ex : t.examples().get(a)) {
          sb.append("  - ").append(ex).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private List<String> names() {
    return topics.stream().map(TopicResult::topic).toList();
  }
}
