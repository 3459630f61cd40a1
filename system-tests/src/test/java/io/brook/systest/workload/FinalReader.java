package io.brook.systest.workload;

import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.common.TopicPartition;
import io.brook.systest.check.FinalRead;
import io.brook.systest.check.FinalRead.OffsetValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads whole partitions once more after the run, through their leaders: a fresh consumer per
 * topic, every partition from offset 0 up to the end offset (the high watermark) that the leader
 * reports at the start. Stateless; each call uses its own consumer.
 */
final class FinalReader {
  private static final Logger LOG = LogManager.getLogger(FinalReader.class);

  private FinalReader() {}

  /**
   * @throws AssertionError if the partitions cannot be read to their high watermark in time
   *     (stating how far each got)
   */
  static Map<Integer, FinalRead> read(
      String bootstrapServers,
      String topic,
      int partitions,
      WorkloadOptions options,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    try (BrookConsumer<String, String> consumer =
        new BrookConsumer<>(
            ConsumerLoop.config("workload-final-read-" + topic, bootstrapServers, options))) {
      consumer.assign(tps);
      Map<TopicPartition, Long> end = endOffsets(consumer, tps, deadline);
      Map<Integer, List<OffsetValue>> records = new HashMap<>();
      Map<Integer, Long> next = new TreeMap<>();
      for (TopicPartition tp : tps) {
        consumer.seek(tp, 0);
        records.put(tp.partition(), new ArrayList<>());
        next.put(tp.partition(), 0L);
      }
      RuntimeException lastError = null;
      while (!done(next, end, topic)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "final read of "
                  + topic
                  + " did not reach the high watermarks "
                  + new TreeMap<>(byPartition(end))
                  + " within "
                  + timeout
                  + "; next offsets "
                  + next
                  + (lastError == null ? "" : "; last error " + lastError));
        }
        try {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() < end.get(new TopicPartition(topic, r.partition()))) {
              records.get(r.partition()).add(new OffsetValue(r.offset(), r.value()));
            }
            next.put(r.partition(), r.offset() + 1);
          }
        } catch (io.brook.client.common.errors.OffsetOutOfRangeException e) {
          throw new AssertionError("final read of " + topic + " was refused: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          lastError = e;
          LOG.info("final read of {}: poll failed, retrying: {}", topic, e.toString());
        }
      }
      Map<Integer, FinalRead> out = new TreeMap<>();
      for (TopicPartition tp : tps) {
        out.put(tp.partition(), new FinalRead(tp, end.get(tp), records.get(tp.partition())));
      }
      return out;
    }
  }

  private static boolean done(
      Map<Integer, Long> next, Map<TopicPartition, Long> end, String topic) {
    for (var e : next.entrySet()) {
      if (e.getValue() < end.get(new TopicPartition(topic, e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> m) {
    Map<Integer, Long> out = new HashMap<>();
    m.forEach((tp, v) -> out.put(tp.partition(), v));
    return out;
  }

  private static Map<TopicPartition, Long> endOffsets(
      BrookConsumer<String, String> consumer, List<TopicPartition> tps, long deadline) {
    while (true) {
      try {
        return consumer.endOffsets(tps, Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no end offsets for " + tps + ": " + e, e);
        }
        LOG.info("end offsets of {} not available yet: {}", tps, e.toString());
      }
    }
  }
}
