package io.brook.broker.log.internals;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log by base offset. Thread-safe map (a concurrent skip list): the log's
 * writer adds and removes segments under its lock; readers look segments up without locking and may
 * therefore hold a segment that is being removed (its files stay readable until deleted after
 * file.delete.delay.ms).
 */
public final class LogSegments {
  private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

  public void add(LogSegment segment) {
    segments.put(segment.baseOffset(), segment);
  }

  public void remove(long baseOffset) {
    segments.remove(baseOffset);
  }

  public boolean contains(long baseOffset) {
    return segments.containsKey(baseOffset);
  }

  public boolean isEmpty() {
    return segments.isEmpty();
  }

  public int size() {
    return segments.size();
  }

  public LogSegment get(long baseOffset) {
    return segments.get(baseOffset);
  }

  /** The segment that would hold {@code offset}: the one with the largest base at most it. */
  public LogSegment floor(long offset) {
    Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
    return e == null ? null : e.getValue();
  }

  public LogSegment higher(long baseOffset) {
    Map.Entry<Long, LogSegment> e = segments.higherEntry(baseOffset);
    return e == null ? null : e.getValue();
  }

  public LogSegment first() {
    Map.Entry<Long, LogSegment> e = segments.firstEntry();
    return e == null ? null : e.getValue();
  }

  public LogSegment last() {
    Map.Entry<Long, LogSegment> e = segments.lastEntry();
    return e == null ? null : e.getValue();
  }

  /** All segments in offset order (a snapshot). */
  public List<LogSegment> values() {
    return new ArrayList<>(segments.values());
  }

  /** Segments that may hold offsets in [from, to): from the one holding {@code from} on. */
  public List<LogSegment> values(long from, long to) {
    Long start = segments.floorKey(from);
    Collection<LogSegment> c =
        start == null ? segments.headMap(to).values() : segments.subMap(start, to).values();
    return new ArrayList<>(c);
  }

  public long sizeInBytes() {
    long total = 0;
    for (LogSegment s : segments.values()) {
      total += s.size();
    }
    return total;
  }
}
