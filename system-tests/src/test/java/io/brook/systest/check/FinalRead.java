package io.brook.systest.check;

import io.brook.common.TopicPartition;
import java.util.List;

/**
 * A partition read once more after the run: a fresh consumer, through the leader, from offset 0 to
 * the high watermark it reported. Immutable.
 *
 * @param highWatermark the end offset (HW) the read went up to; every replica must agree below it
 * @param records what the consumer got, in the order it got them (offsets ascending)
 */
public record FinalRead(TopicPartition tp, long highWatermark, List<OffsetValue> records) {
  public FinalRead {
    records = List.copyOf(records);
  }

  /** One record: its offset and its value as UTF-8 text. */
  public record OffsetValue(long offset, String value) {}
}
