package io.brook.client.producer;

import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicMetadata;
import io.brook.protocol.v1.TopicProduceData;
import io.brook.protocol.v1.TopicProduceResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test-only broker for the idempotent producer, served over real gRPC on a loopback port chosen
 * by the OS. It leads every partition of one topic, hands out producer ids, and checks sequence
 * numbers the way Kafka's ProducerStateManager does: per producer id and partition the last five
 * batches are kept; a batch equal to one of them is a duplicate (answered with
 * DUPLICATE_SEQUENCE_NUMBER, nothing appended); otherwise its first sequence must follow the last
 * one (OUT_OF_ORDER_SEQUENCE_NUMBER), except for a producer id the partition has not seen, which
 * may start anywhere (Kafka 3.x).
 *
 * <p>It records every batch it receives ({@link #received}) and every batch it appended ({@link
 * #log}); an {@link #injector} may answer an error for a batch before it is checked ({@link
 * Injection#BEFORE_APPEND}) or after it was appended ({@link Injection#AFTER_APPEND}, as when a
 * response is lost). Responses can be held back ({@link #hold}) so that several requests are in
 * flight at once. Thread-safe: every state change happens under the broker's monitor.
 */
final class SequenceCheckingBroker implements AutoCloseable {
  /** One batch as received. */
  record Batch(
      int partition,
      long producerId,
      short epoch,
      int baseSequence,
      int count,
      List<String> values,
      ByteBuffer bytes) {
    int lastSequence() {
      return baseSequence + count - 1;
    }
  }

  enum Injection {
    BEFORE_APPEND,
    AFTER_APPEND,
    /** Appends, then fails the whole Produce stream (the response is lost). */
    AFTER_APPEND_KILL_STREAM
  }

  /** What the injector decides for a batch: an error code, and whether the batch is appended. */
  record Inject(ErrorCode code, Injection when) {}

  private record ProducerEntry(short epoch, Deque<int[]> lastBatches) {}

  final String topic;
  final int partitions;
  final List<Batch> received = new CopyOnWriteArrayList<>();
  final Map<Integer, List<Batch>> log = new HashMap<>();
  final Queue<ErrorCode> initProducerIdErrors = new ConcurrentLinkedQueue<>();
  final List<InitProducerIdRequest> initRequests = new CopyOnWriteArrayList<>();
  final AtomicInteger maxUnanswered = new AtomicInteger();
  volatile Function<Batch, Inject> injector = b -> null;
  private final Map<String, ProducerEntry> producers = new HashMap<>();
  private final List<Runnable> held = new ArrayList<>();
  private boolean hold;
  private int unanswered;
  private long nextProducerId = 1000;
  private final Server server;

  SequenceCheckingBroker(String topic, int partitions) throws IOException {
    this.topic = topic;
    this.partitions = partitions;
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Service())
            .build()
            .start();
  }

  String bootstrap() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Holds responses back (appends still happen on receipt, in order) until {@link #release}. */
  synchronized void hold() {
    hold = true;
  }

  /** Sends every held response, in order, and stops holding. */
  void release() {
    List<Runnable> out;
    synchronized (this) {
      hold = false;
      out = new ArrayList<>(held);
      held.clear();
    }
    out.forEach(Runnable::run);
  }

  synchronized int unanswered() {
    return unanswered;
  }

  /** The values appended to {@code partition}, in log order. */
  synchronized List<String> values(int partition) {
    List<String> out = new ArrayList<>();
    for (Batch b : log.getOrDefault(partition, List.of())) {
      out.addAll(b.values);
    }
    return out;
  }

  synchronized List<Batch> log(int partition) {
    return new ArrayList<>(log.getOrDefault(partition, List.of()));
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private static Batch parse(int partition, ByteBuffer bytes) {
    RecordBatch rb = RecordBatch.wrap(bytes);
    rb.ensureValid();
    List<String> values = new ArrayList<>();
    for (Record r : rb) {
      ByteBuffer v = r.value();
      byte[] a = new byte[v.remaining()];
      v.duplicate().get(a);
      values.add(new String(a, StandardCharsets.UTF_8));
    }
    return new Batch(
        partition,
        rb.producerId(),
        rb.producerEpoch(),
        rb.baseSequence(),
        rb.recordCount(),
        values,
        bytes);
  }

  /**
   * Checks and appends one batch; returns the error code (NONE when appended), or null when the
   * stream is to be killed.
   */
  private synchronized ErrorCode append(Batch b) {
    received.add(b);
    Inject inject = injector.apply(b);
    if (inject != null && inject.when == Injection.BEFORE_APPEND) {
      return inject.code;
    }
    if (b.producerId >= 0) {
      String key = b.producerId + "-" + b.partition;
      ProducerEntry e = producers.get(key);
      if (e != null) {
        for (int[] prev : e.lastBatches) {
          if (prev[0] == b.baseSequence && prev[1] == b.lastSequence()) {
            return ErrorCode.DUPLICATE_SEQUENCE_NUMBER;
          }
        }
        int last = e.lastBatches.peekLast()[1];
        if (b.epoch == e.epoch && b.baseSequence != last + 1) {
          return ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
        }
      } else {
        e = new ProducerEntry(b.epoch, new ArrayDeque<>());
        producers.put(key, e);
      }
      e.lastBatches.addLast(new int[] {b.baseSequence, b.lastSequence()});
      if (e.lastBatches.size() > 5) {
        e.lastBatches.removeFirst();
      }
    }
    log.computeIfAbsent(b.partition, k -> new ArrayList<>()).add(b);
    if (inject != null && inject.when == Injection.AFTER_APPEND_KILL_STREAM) {
      return null;
    }
    return inject != null ? inject.code : ErrorCode.NONE;
  }

  private synchronized long logEnd(int partition) {
    long n = 0;
    for (Batch b : log.getOrDefault(partition, List.of())) {
      n += b.count;
    }
    return n;
  }

  private final class Service extends BrokerServiceGrpc.BrokerServiceImplBase {
    @Override
    public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> out) {
      TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(topic).setTopicId("id-1");
      for (int p = 0; p < partitions; p++) {
        tm.addPartitions(
            PartitionMetadata.newBuilder().setPartition(p).setLeader(1).addReplicas(1).addIsr(1));
      }
      MetadataResponse.Builder r =
          MetadataResponse.newBuilder()
              .setClusterId("test")
              .setControllerId(1)
              .addBrokers(
                  BrokerEndpoint.newBuilder()
                      .setId(1)
                      .setHost("127.0.0.1")
                      .setPort(server.getPort()));
      for (String t : req.getTopicsList()) {
        if (t.equals(topic)) {
          r.addTopics(tm);
        } else {
          r.addTopics(
              TopicMetadata.newBuilder().setName(t).setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void initProducerId(
        InitProducerIdRequest req, StreamObserver<InitProducerIdResponse> out) {
      initRequests.add(req);
      ErrorCode e = initProducerIdErrors.poll();
      InitProducerIdResponse.Builder r = InitProducerIdResponse.newBuilder();
      if (e != null) {
        r.setError(e).setErrorMessage("injected " + e).setProducerId(-1).setProducerEpoch(-1);
      } else {
        synchronized (SequenceCheckingBroker.this) {
          r.setProducerId(nextProducerId++).setProducerEpoch(0);
        }
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<ProduceRequest> produce(StreamObserver<ProduceResponse> out) {
      return new StreamObserver<>() {
        private volatile boolean killed;

        @Override
        public void onNext(ProduceRequest req) {
          if (killed) {
            return;
          }
          ProduceResponse.Builder r = ProduceResponse.newBuilder().setRequestId(req.getRequestId());
          for (TopicProduceData t : req.getTopicsList()) {
            TopicProduceResponse.Builder tr =
                TopicProduceResponse.newBuilder().setTopic(t.getTopic());
            for (PartitionProduceData p : t.getPartitionsList()) {
              ByteBuffer copy = ByteBuffer.allocate(p.getRecords().size());
              p.getRecords().copyTo(copy);
              copy.flip();
              Batch b = parse(p.getPartition(), copy);
              long base = logEnd(p.getPartition());
              ErrorCode code = append(b);
              if (code == null) {
                killed = true;
                synchronized (out) {
                  out.onError(Status.UNAVAILABLE.withDescription("injected").asRuntimeException());
                }
                return;
              }
              tr.addPartitions(
                  PartitionProduceResponse.newBuilder()
                      .setPartition(p.getPartition())
                      .setError(code)
                      .setBaseOffset(code == ErrorCode.NONE ? base : -1)
                      .setLogAppendTimeMs(-1));
            }
            r.addTopics(tr);
          }
          ProduceResponse response = r.build();
          Runnable send =
              () -> {
                synchronized (out) {
                  if (!killed) { // held responses of a killed stream are lost with it
                    out.onNext(response);
                  }
                }
              };
          synchronized (SequenceCheckingBroker.this) {
            unanswered++;
            maxUnanswered.accumulateAndGet(unanswered, Math::max);
            if (hold) {
              held.add(
                  () -> {
                    synchronized (SequenceCheckingBroker.this) {
                      unanswered--;
                    }
                    send.run();
                  });
              return;
            }
            unanswered--;
          }
          send.run();
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          synchronized (out) {
            out.onCompleted();
          }
        }
      };
    }
  }
}
