package io.brook.client.consumer;

import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/** The records one poll() returned, grouped by partition in fetch order. Immutable. */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
  private static final ConsumerRecords<Object, Object> EMPTY = new ConsumerRecords<>(Map.of());

  private final Map<TopicPartition, List<ConsumerRecord<K, V>>> records;

  public ConsumerRecords(Map<TopicPartition, List<ConsumerRecord<K, V>>> records) {
    this.records = Collections.unmodifiableMap(records);
  }

  @SuppressWarnings("unchecked")
  public static <K, V> ConsumerRecords<K, V> empty() {
    return (ConsumerRecords<K, V>) EMPTY;
  }

  public List<ConsumerRecord<K, V>> records(TopicPartition partition) {
    List<ConsumerRecord<K, V>> l = records.get(partition);
    return l == null ? List.of() : Collections.unmodifiableList(l);
  }

  public Iterable<ConsumerRecord<K, V>> records(String topic) {
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    for (Map.Entry<TopicPartition, List<ConsumerRecord<K, V>>> e : records.entrySet()) {
      if (e.getKey().topic().equals(topic)) {
        out.addAll(e.getValue());
      }
    }
    return out;
  }

  public Set<TopicPartition> partitions() {
    return records.keySet();
  }

  @Override
  public Iterator<ConsumerRecord<K, V>> iterator() {
    Iterator<List<ConsumerRecord<K, V>>> lists = records.values().iterator();
    return new Iterator<>() {
      private Iterator<ConsumerRecord<K, V>> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && lists.hasNext()) {
          current = lists.next().iterator();
        }
        return current.hasNext();
      }

      @Override
      public ConsumerRecord<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  public int count() {
    int c = 0;
    for (List<ConsumerRecord<K, V>> l : records.values()) {
      c += l.size();
    }
    return c;
  }

  public boolean isEmpty() {
    return records.isEmpty();
  }
}
