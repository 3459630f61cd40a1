package io.brook.client.producer.internals;

import com.google.protobuf.UnsafeByteOperations;
import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.NetworkException;
import io.brook.client.common.errors.OutOfOrderSequenceException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.errors.UnsupportedVersionException;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ErrorMapping;
import io.brook.client.internals.Metadata;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.Errors;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicProduceData;
import io.brook.protocol.v1.TopicProduceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The producer's I/O thread. Each round it refreshes metadata when due, asks the accumulator which
 * leaders have sendable batches, and drains them onto ONE bidirectional Produce stream per broker
 * with at most {@code max.in.flight.requests.per.connection} requests in flight (request ids), only
 * while the stream is ready (gRPC flow control). Responses and stream failures arrive on gRPC
 * threads, which only queue an event and wake this thread; this thread then completes batches
 * (running the user callbacks), re-queues retriable failures after {@code retry.backoff.ms} with a
 * metadata refresh when the leader moved, fails batches that outlived {@code delivery.timeout.ms},
 * and resets a stream whose oldest request waited longer than {@code request.timeout.ms}.
 *
 * <p>Idempotent producer ({@link IdempotenceManager}): before any batch is drained this thread gets
 * a producer id with InitProducerId from any broker, retried every {@code retry.backoff.ms}; queued
 * batches fail with a TimeoutException when none came within {@code max.block.ms}. Brokers that do
 * not implement the call turn idempotence off (with a warning) unless the user asked for it.
 * Answers for stamped batches go through {@code completeIdempotent} (duplicates are successes,
 * sequence errors retried or fatal by Kafka's rules).
 *
 * <p>Thread rules: every field except {@link #events}, the wakeup flag and the volatile lifecycle
 * flags is owned by the sender thread.
 */
public final class Sender implements Runnable {
  private static final Logger LOG = LogManager.getLogger(Sender.class);

  private final BrokerChannels channels;
  private final Metadata metadata;
  private final RecordAccumulator accumulator;
  private final int maxRequestSize;
  private final short acks;
  private final int retries;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;
  private final int maxInFlight;
  private final long maxBlockMs;
  private final boolean idempotenceExplicit;
  private final Time time;

  /**
   * Null when the producer is not idempotent (or the brokers turned out not to support it). Written
   * by the sender thread only; volatile so that {@link #producerIdAndEpoch()} may read it.
   */
  private volatile IdempotenceManager idempotence;

  private boolean initProducerIdInFlight;
  private long initProducerIdNextAttemptMs;
  private long awaitingProducerIdSinceMs = -1;

  private final Queue<Event> events = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final Map<Integer, NodeConnection> connections = new HashMap<>();
  private volatile Thread thread;
  private volatile boolean running = true;
  private volatile boolean forceClose;

  public Sender(
      BrokerChannels channels,
      Metadata metadata,
      RecordAccumulator accumulator,
      int maxRequestSize,
      short acks,
      int retries,
      int requestTimeoutMs,
      long retryBackoffMs,
      int maxInFlight,
      Time time) {
    this(
        channels,
        metadata,
        accumulator,
        maxRequestSize,
        acks,
        retries,
        requestTimeoutMs,
        retryBackoffMs,
        maxInFlight,
        null,
        Long.MAX_VALUE,
        false,
        time);
  }

  /**
   * @param idempotence the idempotent producer's state, or null for a producer without idempotence
   * @param maxBlockMs how long queued batches wait for a producer id (InitProducerId retried every
   *     retry.backoff.ms) before they fail
   * @param idempotenceExplicit whether the user set enable.idempotence=true (then brokers without
   *     InitProducerId are an error; otherwise the producer goes on without idempotence)
   */
  public Sender(
      BrokerChannels channels,
      Metadata metadata,
      RecordAccumulator accumulator,
      int maxRequestSize,
      short acks,
      int retries,
      int requestTimeoutMs,
      long retryBackoffMs,
      int maxInFlight,
      IdempotenceManager idempotence,
      long maxBlockMs,
      boolean idempotenceExplicit,
      Time time) {
    this.channels = channels;
    this.metadata = metadata;
    this.accumulator = accumulator;
    this.maxRequestSize = maxRequestSize;
    this.acks = acks;
    this.retries = retries;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
    this.maxInFlight = maxInFlight;
    this.idempotence = idempotence;
    this.maxBlockMs = maxBlockMs;
    this.idempotenceExplicit = idempotenceExplicit;
    this.time = time;
  }

  private sealed interface Event permits ResponseEvent, StreamFailedEvent, InitProducerIdEvent {}

  /** An InitProducerId answer ({@code response}) or failure ({@code error}). */
  private record InitProducerIdEvent(Node node, InitProducerIdResponse response, Throwable error)
      implements Event {}

  private record ResponseEvent(NodeConnection conn, int generation, ProduceResponse response)
      implements Event {}

  private record StreamFailedEvent(NodeConnection conn, int generation, Throwable cause)
      implements Event {}

  @Override
  public void run() {
    thread = Thread.currentThread();
    LOG.debug("Starting Brook producer I/O thread.");
    while (running) {
      runOnceSafely();
    }
    while (!forceClose && (accumulator.hasUndrained() || inFlightCount() > 0)) {
      runOnceSafely();
    }
    if (forceClose) {
      BrookException e = new BrookException("Producer is closed forcefully.");
      for (NodeConnection c : connections.values()) {
        c.failAll(e);
      }
      accumulator.abortIncompleteBatches(e);
    }
    for (NodeConnection c : connections.values()) {
      c.closeStream();
    }
    LOG.debug("Shutdown of Brook producer I/O thread has completed.");
  }

  private void runOnceSafely() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.error("Uncaught error in the producer I/O thread: ", e);
    }
  }

  /** One round; visible for tests that drive the sender without its thread. */
  void runOnce() {
    long now = time.hiResClockMs();
    processEvents(now);
    metadata.maybeUpdate();
    if (idempotence != null && !idempotence.hasProducerId()) {
      long wait = awaitProducerId(now);
      for (ProducerBatch b : accumulator.expiredBatches(now)) {
        failBatch(b, expired(b, now), now);
      }
      for (NodeConnection c : connections.values()) {
        wait = Math.min(wait, c.checkRequestTimeout(now));
      }
      wait = Math.min(wait, metadata.timeToNextUpdate(now));
      wait = Math.min(wait, accumulator.nextExpiryDelayMs(now));
      await(Math.min(running ? wait : Math.min(wait, 10), 1000));
      return;
    }
    awaitingProducerIdSinceMs = -1;
    Cluster cluster = metadata.fetch();
    RecordAccumulator.ReadyCheckResult ready = accumulator.ready(cluster, now);
    if (!ready.unknownLeaderTopics().isEmpty()) {
      ready.unknownLeaderTopics().forEach(metadata::add);
      metadata.requestUpdate();
    }
    long timeout = ready.nextReadyCheckDelayMs();
    for (Node node : ready.readyNodes()) {
      NodeConnection c = connections.computeIfAbsent(node.id(), id -> new NodeConnection(node));
      c.node = node;
      while (c.canSend(now)) {
        List<ProducerBatch> batches =
            accumulator.drain(cluster, node, maxRequestSize, now, idempotence);
        if (batches.isEmpty()) {
          break;
        }
        c.send(batches, now);
      }
      if (c.stream == null) {
        timeout = Math.min(timeout, Math.max(0, c.reconnectAtMs - now));
      }
    }
    for (ProducerBatch b : accumulator.expiredBatches(now)) {
      failBatch(b, expired(b, now), now);
    }
    for (NodeConnection c : connections.values()) {
      timeout = Math.min(timeout, c.checkRequestTimeout(now));
    }
    timeout = Math.min(timeout, metadata.timeToNextUpdate(now));
    timeout = Math.min(timeout, accumulator.nextExpiryDelayMs(now));
    if (!running) {
      timeout = Math.min(timeout, 10);
    }
    await(Math.min(timeout, 1000));
  }

  private static TimeoutException expired(ProducerBatch b, long now) {
    return new TimeoutException(
        "Expiring "
            + b.recordCount()
            + " record(s) for "
            + b.topicPartition
            + ":"
            + (now - b.createdMs)
            + " ms has passed since batch creation");
  }

  private void processEvents(long now) {
    Event e;
    while ((e = events.poll()) != null) {
      if (e instanceof InitProducerIdEvent i) {
        handleInitProducerId(i, now);
      } else if (e instanceof ResponseEvent r) {
        if (r.generation == r.conn.generation) {
          r.conn.handleResponse(r.response, now);
        }
      } else if (e instanceof StreamFailedEvent f) {
        if (f.generation == f.conn.generation && f.conn.stream != null) {
          BrookException cause =
              ErrorMapping.isStatus(f.cause)
                  ? ErrorMapping.fromStatus(f.cause, f.conn.address())
                  : f.cause instanceof BrookException be
                      ? be
                      : new NetworkException(f.cause.toString(), f.cause);
          LOG.debug("Produce stream to {} failed: {}", f.conn.address(), cause.getMessage());
          f.conn.streamFailed(
              cause instanceof TimeoutException
                  ? cause
                  : new NetworkException(cause.getMessage(), cause),
              now);
        }
      }
    }
  }

  /**
   * Asks a broker for a producer id when none is in flight and the backoff has passed; fails the
   * queued batches when none came within max.block.ms. Returns ms until the next step is due.
   */
  private long awaitProducerId(long now) {
    if (awaitingProducerIdSinceMs < 0) {
      awaitingProducerIdSinceMs = now;
    }
    if (now - awaitingProducerIdSinceMs >= maxBlockMs) {
      TimeoutException e =
          new TimeoutException(
              "Timeout expired after " + maxBlockMs + " ms while awaiting InitProducerId");
      List<ProducerBatch> queued = accumulator.drainAllQueued();
      if (!queued.isEmpty()) {
        LOG.warn("Failing {} batches: {}", queued.size(), e.getMessage());
      }
      for (ProducerBatch b : queued) {
        failBatch(b, e, now);
      }
      awaitingProducerIdSinceMs = now;
    }
    if (!initProducerIdInFlight && now >= initProducerIdNextAttemptMs) {
      sendInitProducerId();
    }
    long untilAttempt = initProducerIdInFlight ? Long.MAX_VALUE : initProducerIdNextAttemptMs - now;
    long untilTimeout = awaitingProducerIdSinceMs + maxBlockMs - now;
    return Math.max(0, Math.min(untilAttempt, untilTimeout));
  }

  private void sendInitProducerId() {
    Node node = metadata.anyNode();
    IdempotenceManager.ProducerIdAndEpoch prev = idempotence.previousProducerIdAndEpoch();
    InitProducerIdRequest req =
        InitProducerIdRequest.newBuilder()
            .setTransactionTimeoutMs(Integer.MAX_VALUE)
            .setProducerId(prev.producerId())
            .setProducerEpoch(prev.epoch())
            .build();
    initProducerIdInFlight = true;
    LOG.debug("Sending InitProducerId to {} (previous producer id {})", node, prev.producerId());
    try {
      channels
          .asyncStub(node)
          .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS)
          .initProducerId(
              req,
              new StreamObserver<>() {
                @Override
                public void onNext(InitProducerIdResponse r) {
                  events.add(new InitProducerIdEvent(node, r, null));
                  wakeup();
                }

                @Override
                public void onError(Throwable t) {
                  events.add(new InitProducerIdEvent(node, null, t));
                  wakeup();
                }

                @Override
                public void onCompleted() {}
              });
    } catch (RuntimeException e) {
      events.add(new InitProducerIdEvent(node, null, e));
    }
  }

  private void handleInitProducerId(InitProducerIdEvent e, long now) {
    initProducerIdInFlight = false;
    initProducerIdNextAttemptMs = now + retryBackoffMs;
    if (idempotence == null) {
      return;
    }
    if (e.response != null && e.response.getError() == ErrorCode.NONE) {
      idempotence.setProducerIdAndEpoch(
          new IdempotenceManager.ProducerIdAndEpoch(
              e.response.getProducerId(), (short) e.response.getProducerEpoch()));
      return;
    }
    RuntimeException error;
    boolean retriable;
    if (e.response != null) {
      ErrorCode code = e.response.getError();
      error = ErrorMapping.exception(code, e.response.getErrorMessage());
      retriable = Errors.isRetriable(code);
      if (Errors.invalidatesMetadata(code)) {
        metadata.requestUpdate();
      }
    } else {
      String address = e.node.host() + ":" + e.node.port();
      error =
          ErrorMapping.isStatus(e.error)
              ? ErrorMapping.fromStatus(e.error, address)
              : new NetworkException(e.error.toString(), e.error);
      retriable = !(error instanceof UnsupportedVersionException);
      metadata.requestUpdate();
    }
    if (retriable) {
      LOG.debug("InitProducerId failed, retrying: {}", error.getMessage());
      return;
    }
    if (error instanceof UnsupportedVersionException && !idempotenceExplicit) {
      LOG.warn(
          "The broker does not support InitProducerId; the producer continues without"
              + " idempotence ({})",
          error.getMessage());
      idempotence = null;
      return;
    }
    LOG.error("InitProducerId failed: {}", error.getMessage());
    for (ProducerBatch b : accumulator.drainAllQueued()) {
      failBatch(b, error, now);
    }
  }

  /** The producer id and epoch, or NONE (for tests). */
  public IdempotenceManager.ProducerIdAndEpoch producerIdAndEpoch() {
    IdempotenceManager i = idempotence;
    return i == null ? IdempotenceManager.ProducerIdAndEpoch.NONE : i.producerIdAndEpoch();
  }

  private int inFlightCount() {
    int n = 0;
    for (NodeConnection c : connections.values()) {
      n += c.inFlight.size();
    }
    return n;
  }

  /** Handles a failed attempt: retry when allowed, otherwise fail the batch. */
  private void retryOrFail(ProducerBatch b, ErrorCode code, RuntimeException error, long now) {
    retryOrFail(b, code, error, code == null || Errors.isRetriable(code), now);
  }

  private void retryOrFail(
      ProducerBatch b, ErrorCode code, RuntimeException error, boolean retriable, long now) {
    if (retriable
        && b.attempts < retries
        && !b.hasReachedDeliveryTimeout(accumulator.deliveryTimeoutMs(), now)) {
      if (code == null || Errors.invalidatesMetadata(code)) {
        metadata.requestUpdate();
      }
      LOG.debug(
          "Retrying batch to {} (attempt {}): {}",
          b.topicPartition,
          b.attempts + 1,
          error.getMessage());
      accumulator.reenqueue(b, now);
    } else if (retriable && b.hasReachedDeliveryTimeout(accumulator.deliveryTimeoutMs(), now)) {
      failBatch(b, expired(b, now), now);
    } else {
      failBatch(b, error, now);
    }
  }

  private void failBatch(ProducerBatch b, RuntimeException e, long now) {
    if (idempotence != null) {
      idempotence.onFailed(b, e);
    }
    accumulator.completeBatch(b, -1, -1, e);
  }

  /**
   * One partition's answer for an idempotent producer's batch (Kafka's Sender.completeBatch with
   * TransactionManager.canRetry): DUPLICATE_SEQUENCE_NUMBER is success; a batch stamped with an
   * older producer id is retried (re-stamped later) on any sequence or retriable error;
   * OUT_OF_ORDER_SEQUENCE_NUMBER is retried while a predecessor is unresolved and fails the batch
   * when it directly follows the last acknowledged sequence (a real gap), as UNKNOWN_PRODUCER_ID
   * does; failing a batch makes the producer start over with a new producer id.
   */
  private void completeIdempotent(
      ProducerBatch b, ErrorCode code, String message, PartitionProduceResponse p, long now) {
    if (code == ErrorCode.NONE || code == ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      if (code == ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        LOG.debug("{} was already written (duplicate sequence): success", b);
      }
      idempotence.onSuccess(b);
      accumulator.completeBatch(
          b, p != null ? p.getBaseOffset() : -1, p != null ? p.getLogAppendTimeMs() : -1, null);
      return;
    }
    RuntimeException error = ErrorMapping.exception(code, message);
    boolean sequenceError =
        code == ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
            || code == ErrorCode.UNKNOWN_PRODUCER_ID
            || code == ErrorCode.INVALID_PRODUCER_EPOCH;
    if (idempotence.isStale(b)) {
      retryOrFail(b, code, error, sequenceError || Errors.isRetriable(code), now);
    } else if (code == ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && !idempotence.isNextSequence(b)) {
      LOG.debug("{}: out of order while a predecessor is being retried; retrying", b);
      retryOrFail(b, code, error, true, now);
    } else if (code == ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      failBatch(
          b,
          new OutOfOrderSequenceException(
              "The broker received an out of order sequence number for "
                  + b.topicPartition
                  + ": batch sequence "
                  + b.baseSequence()
                  + ", last acknowledged "
                  + idempotence.lastAckedSequence(b.topicPartition)
                  + ", producer id "
                  + b.producerId()
                  + ". This indicates data loss on the broker, and should be investigated; later"
                  + " batches use a new producer id."),
          now);
    } else {
      retryOrFail(b, code, error, now);
    }
  }

  /** Wakes the sender thread from its wait (cheap; callable from any thread). */
  public void wakeup() {
    if (wakeupPending.compareAndSet(false, true)) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  private void await(long ms) {
    if (wakeupPending.getAndSet(false) || ms <= 0) {
      return;
    }
    LockSupport.parkNanos(this, ms * 1_000_000L);
    wakeupPending.set(false);
  }

  /** Stops after sending everything queued and in flight. */
  public void initiateClose() {
    accumulator.close();
    running = false;
    wakeup();
  }

  /** Stops at once, failing what is left. */
  public void forceClose() {
    forceClose = true;
    initiateClose();
  }

  public boolean isRunning() {
    return running;
  }

  /** One request sent and not yet answered. */
  private record InFlight(long requestId, List<ProducerBatch> batches, long sentAtMs) {}

  /**
   * The Produce stream to one broker and its in-flight requests. Owned by the sender thread; the
   * stream's observer only queues events.
   */
  private final class NodeConnection {
    Node node;
    ClientCallStreamObserver<ProduceRequest> stream;
    int generation;
    long reconnectAtMs;
    long nextRequestId;
    final LinkedHashMap<Long, InFlight> inFlight = new LinkedHashMap<>();

    NodeConnection(Node node) {
      this.node = node;
    }

    String address() {
      return node.host() + ":" + node.port() + " (id: " + node.id() + ")";
    }

    boolean canSend(long now) {
      if (stream == null) {
        if (now < reconnectAtMs) {
          return false;
        }
        open();
      }
      return inFlight.size() < maxInFlight && stream.isReady();
    }

    void open() {
      final int gen = ++generation;
      final NodeConnection self = this;
      ClientResponseObserver<ProduceRequest, ProduceResponse> observer =
          new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ProduceRequest> requestStream) {
              requestStream.setOnReadyHandler(Sender.this::wakeup);
            }

            @Override
            public void onNext(ProduceResponse r) {
              events.add(new ResponseEvent(self, gen, r));
              wakeup();
            }

            @Override
            public void onError(Throwable t) {
              events.add(new StreamFailedEvent(self, gen, t));
              wakeup();
            }

            @Override
            public void onCompleted() {
              events.add(
                  new StreamFailedEvent(
                      self,
                      gen,
                      new NetworkException("broker " + address() + " closed the produce stream")));
              wakeup();
            }
          };
      stream =
          (ClientCallStreamObserver<ProduceRequest>) channels.asyncStub(node).produce(observer);
    }

    void send(List<ProducerBatch> batches, long now) {
      long id = nextRequestId++;
      Map<String, TopicProduceData.Builder> byTopic = new LinkedHashMap<>();
      for (ProducerBatch b : batches) {
        byTopic
            .computeIfAbsent(
                b.topicPartition.topic(), t -> TopicProduceData.newBuilder().setTopic(t))
            .addPartitions(
                PartitionProduceData.newBuilder()
                    .setPartition(b.topicPartition.partition())
                    .setRecords(UnsafeByteOperations.unsafeWrap(b.close())));
      }
      ProduceRequest.Builder req =
          ProduceRequest.newBuilder().setRequestId(id).setAcks(acks).setTimeoutMs(requestTimeoutMs);
      byTopic.values().forEach(req::addTopics);
      try {
        stream.onNext(req.build());
      } catch (RuntimeException e) {
        LOG.debug("sending to {} failed: {}", address(), e.toString());
        inFlight.put(id, new InFlight(id, batches, now));
        streamFailed(new NetworkException("send to " + address() + " failed: " + e, e), now);
        return;
      }
      if (acks == 0) {
        for (ProducerBatch b : batches) {
          accumulator.completeBatch(b, -1, -1, null);
        }
      } else {
        inFlight.put(id, new InFlight(id, batches, now));
      }
    }

    void handleResponse(ProduceResponse r, long now) {
      InFlight req = inFlight.remove(r.getRequestId());
      if (req == null) {
        LOG.warn("Response from {} for unknown request id {}", address(), r.getRequestId());
        return;
      }
      Map<TopicPartition, PartitionProduceResponse> parts = new HashMap<>();
      for (TopicProduceResponse t : r.getTopicsList()) {
        for (PartitionProduceResponse p : t.getPartitionsList()) {
          parts.put(new TopicPartition(t.getTopic(), p.getPartition()), p);
        }
      }
      for (ProducerBatch b : req.batches) {
        ErrorCode code;
        String message;
        PartitionProduceResponse p = parts.get(b.topicPartition);
        if (r.getError() != ErrorCode.NONE) {
          code = r.getError();
          message = r.getErrorMessage();
        } else if (p == null) {
          code = ErrorCode.UNKNOWN_SERVER_ERROR;
          message = "the broker's response did not mention " + b.topicPartition;
        } else {
          code = p.getError();
          message = p.getErrorMessage();
        }
        if (idempotence != null) {
          idempotence.onReturned(b);
        }
        if (idempotence != null && b.hasSequence()) {
          completeIdempotent(b, code, message, p, now);
        } else if (code == ErrorCode.NONE) {
          accumulator.completeBatch(b, p.getBaseOffset(), p.getLogAppendTimeMs(), null);
        } else {
          retryOrFail(b, code, ErrorMapping.exception(code, message), now);
        }
      }
    }

    /** Fails every in-flight request (retriable) and forgets the stream. */
    void streamFailed(RuntimeException cause, long now) {
      ClientCallStreamObserver<ProduceRequest> s = stream;
      stream = null;
      generation++;
      reconnectAtMs = now + retryBackoffMs;
      if (s != null) {
        try {
          s.cancel("stream reset by the producer", null);
        } catch (RuntimeException ignored) {
          // already closed
        }
      }
      List<InFlight> all = new ArrayList<>(inFlight.values());
      inFlight.clear();
      metadata.requestUpdate();
      for (InFlight f : all) {
        for (ProducerBatch b : f.batches) {
          if (idempotence != null) {
            idempotence.onReturned(b);
          }
          retryOrFail(b, null, cause, now);
        }
      }
    }

    /** Resets the stream when its oldest request is overdue; returns ms until the next check. */
    long checkRequestTimeout(long now) {
      Iterator<InFlight> it = inFlight.values().iterator();
      if (!it.hasNext()) {
        return Long.MAX_VALUE;
      }
      InFlight oldest = it.next();
      long due = oldest.sentAtMs + requestTimeoutMs;
      if (now >= due) {
        streamFailed(
            new TimeoutException(
                "Disconnected from node "
                    + node.id()
                    + " due to timeout: no response within request.timeout.ms="
                    + requestTimeoutMs),
            now);
        return retryBackoffMs;
      }
      return due - now;
    }

    void failAll(RuntimeException e) {
      for (InFlight f : inFlight.values()) {
        for (ProducerBatch b : f.batches) {
          accumulator.completeBatch(b, -1, -1, e);
        }
      }
      inFlight.clear();
    }

    void closeStream() {
      if (stream != null) {
        try {
          stream.onCompleted();
        } catch (RuntimeException ignored) {
          // already closed
        }
        stream = null;
        generation++;
      }
    }
  }
}
