package io.brook.client.producer;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.errors.ApiException;
import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.RecordTooLargeException;
import io.brook.client.common.errors.SerializationException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.header.Headers;
import io.brook.client.common.serialization.Serializer;
import io.brook.client.internals.Bootstrap;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ChannelFactory;
import io.brook.client.internals.Metadata;
import io.brook.client.producer.internals.BufferPool;
import io.brook.client.producer.internals.BuiltInPartitioner;
import io.brook.client.producer.internals.IdempotenceManager;
import io.brook.client.producer.internals.RecordAccumulator;
import io.brook.client.producer.internals.Sender;
import io.brook.common.Header;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The Brook producer, with the behaviour of Kafka's: {@link #send} serializes, partitions and
 * appends the record to its partition's batch in the {@link RecordAccumulator} and returns; the
 * sender thread ({@link Sender}) ships batches to partition leaders over one Produce stream per
 * broker. See {@link ProducerConfig} for the keys.
 *
 * <p>Idempotent by default, as Kafka 3.x: with {@code acks=all} (and retries > 0, at most 5
 * requests in flight) every batch carries the producer id from InitProducerId and per-partition
 * sequence numbers, so that brokers drop retried duplicates and refuse gaps; retries keep their
 * sequence and go out in order.
 *
 * <p>Thread-safe: any number of threads may call send() concurrently; callbacks run on the
 * producer's I/O thread.
 */
public class BrookProducer<K, V> implements Producer<K, V> {
  private static final Logger LOG = LogManager.getLogger(BrookProducer.class);
  private static final AtomicInteger CLIENT_SEQ = new AtomicInteger(1);

  private final String clientId;
  private final ProducerConfig config;
  private final Time time;
  private final Serializer<K> keySerializer;
  private final Serializer<V> valueSerializer;
  private final Partitioner partitioner;
  private final BuiltInPartitioner builtIn;
  private final boolean ignoreKeys;
  private final Metadata metadata;
  private final BrokerChannels channels;
  private final RecordAccumulator accumulator;
  private final BufferPool bufferPool;
  private final Sender sender;
  private final Thread ioThread;
  private final long maxBlockMs;
  private final int maxRequestSize;
  private final long totalMemory;
  private volatile boolean closed;

  public BrookProducer(Properties props) {
    this(toMap(props), null, null);
  }

  public BrookProducer(Properties props, Serializer<K> keySer, Serializer<V> valueSer) {
    this(toMap(props), keySer, valueSer);
  }

  public BrookProducer(Map<String, Object> configs) {
    this(configs, null, null);
  }

  public BrookProducer(Map<String, Object> configs, Serializer<K> keySer, Serializer<V> valueSer) {
    this(withSerializers(configs, keySer, valueSer), keySer, valueSer, null, Time.SYSTEM, null);
  }

  /**
   * The full constructor, for tests and tools: an optional channel factory (null: netty), clock and
   * random source for the sticky partitioner (null: ThreadLocalRandom).
   */
  @SuppressWarnings("unchecked")
  public BrookProducer(
      ProducerConfig config,
      Serializer<K> keySer,
      Serializer<V> valueSer,
      ChannelFactory channelFactory,
      Time time,
      IntUnaryOperator random) {
    this.config = config;
    this.time = time;
    String id = config.getString(ProducerConfig.CLIENT_ID_CONFIG);
    this.clientId = id.isEmpty() ? "producer-" + CLIENT_SEQ.getAndIncrement() : id;
    Map<String, Object> originals = config.originals();
    if (keySer == null) {
      keySer =
          AbstractConfig.newInstance(
              ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
              config.getClass(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG),
              Serializer.class);
      keySer.configure(originals, true);
    }
    if (valueSer == null) {
      valueSer =
          AbstractConfig.newInstance(
              ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
              config.getClass(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG),
              Serializer.class);
      valueSer.configure(originals, false);
    }
    this.keySerializer = keySer;
    this.valueSerializer = valueSer;
    this.partitioner =
        config.getConfiguredInstance(ProducerConfig.PARTITIONER_CLASS_CONFIG, Partitioner.class);
    if (partitioner != null) {
      partitioner.configure(originals);
    }
    this.builtIn =
        new BuiltInPartitioner(
            random != null ? random : bound -> ThreadLocalRandom.current().nextInt(bound));
    this.ignoreKeys = config.getBoolean(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG);
    this.maxBlockMs = config.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG);
    this.maxRequestSize = config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    this.totalMemory = config.getLong(ProducerConfig.BUFFER_MEMORY_CONFIG);
    long retryBackoffMs = config.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
    int requestTimeoutMs = config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
    this.channels =
        new BrokerChannels(
            channelFactory != null ? channelFactory : ChannelFactory.netty(16 << 20));
    List<Node> bootstrap = Bootstrap.parse(config.getList(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    this.metadata =
        new Metadata(
            channels,
            bootstrap,
            retryBackoffMs,
            config.getLong(ProducerConfig.METADATA_MAX_AGE_CONFIG),
            requestTimeoutMs,
            time);
    this.bufferPool = new BufferPool(totalMemory, time);
    this.accumulator =
        new RecordAccumulator(
            config.getInt(ProducerConfig.BATCH_SIZE_CONFIG),
            CompressionType.forName(config.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG)),
            config.getLong(ProducerConfig.LINGER_MS_CONFIG),
            retryBackoffMs,
            config.deliveryTimeoutMs(),
            bufferPool);
    this.sender =
        new Sender(
            channels,
            metadata,
            accumulator,
            maxRequestSize,
            config.acks(),
            config.getInt(ProducerConfig.RETRIES_CONFIG),
            requestTimeoutMs,
            retryBackoffMs,
            config.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION),
            config.idempotenceEnabled() ? new IdempotenceManager() : null,
            maxBlockMs,
            config.idempotenceExplicit(),
            time);
    metadata.setUpdateListener(sender::wakeup);
    channels.prepare(bootstrap);
    this.ioThread = new Thread(sender, "brook-producer-network-thread | " + clientId);
    this.ioThread.setDaemon(true);
    this.ioThread.start();
    LOG.debug("Brook producer {} started", clientId);
  }

  private static Map<String, Object> toMap(Properties props) {
    Map<String, Object> m = new HashMap<>();
    props.forEach((k, v) -> m.put(String.valueOf(k), v));
    return m;
  }

  private static ProducerConfig withSerializers(
      Map<String, Object> configs, Serializer<?> keySer, Serializer<?> valueSer) {
    Map<String, Object> m = new HashMap<>(configs);
    if (keySer != null) {
      m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, keySer.getClass());
    }
    if (valueSer != null) {
      m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSer.getClass());
    }
    return new ProducerConfig(m);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    TopicPartition tp = null;
    try {
      if (closed) {
        throw new IllegalStateException("Cannot perform operation after producer has been closed");
      }
      long startNs = time.nanoseconds();
      Cluster cluster = waitOnMetadata(record.topic(), record.partition(), maxBlockMs);
      long remainingMs =
          Math.max(0, maxBlockMs - TimeUnit.NANOSECONDS.toMillis(time.nanoseconds() - startNs));
      Headers headers = record.headersOrNull();
      byte[] keyBytes;
      byte[] valueBytes;
      try {
        keyBytes = keySerializer.serialize(record.topic(), headers, record.key());
      } catch (ClassCastException cce) {
        throw new SerializationException(
            "Can't convert key of class "
                + record.key().getClass().getName()
                + " to class "
                + config.getClass(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG).getName()
                + " specified in key.serializer",
            cce);
      }
      try {
        valueBytes = valueSerializer.serialize(record.topic(), headers, record.value());
      } catch (ClassCastException cce) {
        throw new SerializationException(
            "Can't convert value of class "
                + record.value().getClass().getName()
                + " to class "
                + config.getClass(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG).getName()
                + " specified in value.serializer",
            cce);
      }
      Header[] wireHeaders = null;
      if (headers != null) {
        headers.setReadOnly();
        if (!headers.isEmpty()) {
          wireHeaders = headers.toArray();
        }
      }
      int size =
          RecordBatchBuilder.estimateSizeInBytesUpperBound(keyBytes, valueBytes, wireHeaders);
      ensureValidRecordSize(size);
      long timestamp = record.timestamp() == null ? time.milliseconds() : record.timestamp();
      boolean sticky =
          record.partition() == null && partitioner == null && (keyBytes == null || ignoreKeys);
      int partition = partition(record, keyBytes, valueBytes, cluster);
      tp = new TopicPartition(record.topic(), partition);
      long nowMs = time.hiResClockMs();
      RecordAccumulator.RecordAppendResult result =
          accumulator.append(
              tp,
              timestamp,
              keyBytes,
              valueBytes,
              wireHeaders,
              callback,
              remainingMs,
              sticky,
              nowMs);
      if (result.abortForNewBatch()) {
        int prev = partition;
        if (partitioner != null) {
          partitioner.onNewBatch(record.topic(), cluster, prev);
          partition = partition(record, keyBytes, valueBytes, cluster);
        } else {
          partition = builtIn.nextPartition(record.topic(), cluster, prev);
        }
        tp = new TopicPartition(record.topic(), partition);
        result =
            accumulator.append(
                tp,
                timestamp,
                keyBytes,
                valueBytes,
                wireHeaders,
                callback,
                remainingMs,
                false,
                nowMs);
      }
      if (result.batchIsFull() || result.newBatchCreated()) {
        sender.wakeup();
      }
      return result.future();
    } catch (ApiException e) {
      LOG.debug("Exception occurred during message send: {}", e.getMessage());
      if (callback != null) {
        TopicPartition t = tp != null ? tp : new TopicPartition(record.topic(), -1);
        callback.onCompletion(new RecordMetadata(t, -1, -1, -1, -1, -1), e);
      }
      return CompletableFuture.failedFuture(e);
    } catch (InterruptException e) {
      throw e;
    }
  }

  private int partition(
      ProducerRecord<K, V> record, byte[] keyBytes, byte[] valueBytes, Cluster cluster) {
    if (record.partition() != null) {
      return record.partition();
    }
    if (partitioner != null) {
      int p =
          partitioner.partition(
              record.topic(), record.key(), keyBytes, record.value(), valueBytes, cluster);
      if (p < 0) {
        throw new IllegalArgumentException(
            String.format(
                "The partitioner generated an invalid partition number: %d. Partition number"
                    + " should always be non-negative.",
                p));
      }
      return p;
    }
    if (keyBytes != null && !ignoreKeys) {
      return BuiltInPartitioner.partitionForKey(
          keyBytes, cluster.partitionsForTopic(record.topic()).size());
    }
    return builtIn.stickyPartition(record.topic(), cluster);
  }

  private void ensureValidRecordSize(int size) {
    if (size > maxRequestSize) {
      throw new RecordTooLargeException(
          "The message is "
              + size
              + " bytes when serialized which is larger than "
              + maxRequestSize
              + ", which is the value of the max.request.size configuration.");
    }
    if (size > totalMemory) {
      throw new RecordTooLargeException(
          "The message is "
              + size
              + " bytes when serialized which is larger than the total memory buffer you have"
              + " configured with the buffer.memory configuration.");
    }
  }

  /**
   * Waits (up to {@code maxWaitMs}) until the topic's partitions are known, and the given partition
   * exists.
   */
  private Cluster waitOnMetadata(String topic, Integer partition, long maxWaitMs) {
    Cluster cluster = metadata.fetch();
    Integer count = cluster.partitionCountForTopic(topic);
    if (count != null && (partition == null || partition < count)) {
      return cluster;
    }
    metadata.add(topic);
    long deadline = time.hiResClockMs() + maxWaitMs;
    while (true) {
      metadata.checkTopic(topic);
      int version = metadata.requestUpdate();
      sender.wakeup();
      long left = deadline - time.hiResClockMs();
      if (left <= 0) {
        break;
      }
      metadata.awaitUpdate(version, left);
      cluster = metadata.fetch();
      count = cluster.partitionCountForTopic(topic);
      if (count != null && (partition == null || partition < count)) {
        return cluster;
      }
    }
    metadata.checkTopic(topic);
    if (count != null && partition != null) {
      throw new TimeoutException(
          String.format(
              "Partition %d of topic %s with partition count %d is not present in metadata after"
                  + " %d ms.",
              partition, topic, count, maxWaitMs));
    }
    throw new TimeoutException(
        String.format("Topic %s not present in metadata after %d ms.", topic, maxWaitMs));
  }

  @Override
  public void flush() {
    accumulator.beginFlush();
    sender.wakeup();
    try {
      accumulator.awaitFlushCompletion();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("Flush interrupted.", e);
    }
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return waitOnMetadata(topic, null, maxBlockMs).partitionsForTopic(topic);
  }

  @Override
  public void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  @Override
  public void close(Duration timeout) {
    long timeoutMs = timeout.toMillis();
    if (timeoutMs < 0) {
      throw new IllegalArgumentException("The timeout cannot be negative.");
    }
    synchronized (this) {
      if (closed && !ioThread.isAlive()) {
        return;
      }
      closed = true;
    }
    boolean invokedFromCallback = Thread.currentThread() == ioThread;
    if (timeoutMs > 0 && !invokedFromCallback) {
      sender.initiateClose();
      try {
        ioThread.join(timeoutMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ioThread.isAlive()) {
      sender.forceClose();
      if (!invokedFromCallback) {
        try {
          ioThread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    bufferPool.close();
    if (!invokedFromCallback) {
      channels.close(Math.min(timeoutMs, 5000));
    }
    try {
      keySerializer.close();
      valueSerializer.close();
      if (partitioner != null) {
        partitioner.close();
      }
    } catch (RuntimeException e) {
      LOG.warn("Failed to close a serializer or partitioner", e);
    }
    LOG.debug("Brook producer {} closed", clientId);
  }

  /** For tests: the producer id and epoch in use (NONE when not idempotent or not known yet). */
  IdempotenceManager.ProducerIdAndEpoch producerIdAndEpoch() {
    return sender.producerIdAndEpoch();
  }

  /** For tests: the accumulator's view of free buffer memory. */
  long availableMemory() {
    return bufferPool.availableMemory();
  }
}
