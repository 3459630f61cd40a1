package io.brook.client.internals;

import com.google.protobuf.ByteString;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.*;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * An in-process BrokerService for client tests: one broker (id 1) leading every partition, an
 * in-memory log per partition, recorded requests and injectable errors. Thread-safe.
 */
public final class FakeBroker implements AutoCloseable {
  public final String name = "fake-" + System.nanoTime();
  public final Map<String, Integer> topics = new ConcurrentHashMap<>();
  public final Map<String, List<ByteBuffer>> logs = new ConcurrentHashMap<>();
  public final List<ProduceRequest> produceRequests = new CopyOnWriteArrayList<>();
  public final AtomicInteger metadataRequests = new AtomicInteger();
  public final Queue<ErrorCode> produceErrors = new ConcurrentLinkedQueue<>();
  public final Queue<ErrorCode> fetchErrors = new ConcurrentLinkedQueue<>();
  public final Map<String, ErrorCode> createErrors = new ConcurrentHashMap<>();
  public volatile boolean answerProduce = true;

  /** When false, fetches are read but never answered. */
  public volatile boolean answerFetch = true;

  public final AtomicInteger fetchStreamsOpened = new AtomicInteger();

  /** FetchStreams the client cancelled or broke off. */
  public final AtomicInteger fetchStreamsFailed = new AtomicInteger();

  public final AtomicInteger fetchRequests = new AtomicInteger();
  public final AtomicInteger maxConcurrentInFlight = new AtomicInteger();
  private final AtomicInteger unanswered = new AtomicInteger();
  private final Server server;

  public FakeBroker() throws IOException {
    // Handlers run on the server's own executor, as over a network: with a direct executor a
    // response would call back into the client inside its request (the consumer re-fetches from
    // its response handler), recursing until the stack overflows.
    server = InProcessServerBuilder.forName(name).addService(new Service()).build().start();
  }

  /**
   * A FetchStream served by a unary fetch handler: each request is answered by {@code unary} (in
   * turn, as gRPC delivers a stream's messages one at a time), with the request's id.
   */
  public static StreamObserver<FetchRequest> fetchStreamOf(
      BiConsumer<FetchRequest, StreamObserver<FetchResponse>> unary,
      StreamObserver<FetchResponse> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(FetchRequest req) {
        unary.accept(
            req,
            new StreamObserver<>() {
              @Override
              public void onNext(FetchResponse r) {
                out.onNext(r.toBuilder().setRequestId(req.getRequestId()).build());
              }

              @Override
              public void onError(Throwable t) {
                out.onError(t);
              }

              @Override
              public void onCompleted() {}
            });
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  public ChannelFactory channels() {
    return (host, port) -> InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  public void createTopic(String topic, int partitions) {
    topics.put(topic, partitions);
  }

  public synchronized long logEnd(String topic, int p) {
    long end = 0;
    for (ByteBuffer b : logs.getOrDefault(topic + "-" + p, List.of())) {
      end = RecordBatch.wrap(b).nextOffset();
    }
    return end;
  }

  synchronized long append(String topic, int p, ByteBuffer batches) {
    long base = logEnd(topic, p);
    long next = base;
    ByteBuffer buf = batches.duplicate();
    int pos = buf.position();
    while (pos < buf.limit()) {
      int size = RecordBatch.sizeAt(buf, pos);
      ByteBuffer copy = ByteBuffer.allocate(size);
      copy.put(buf.duplicate().position(pos).limit(pos + size)).flip();
      RecordBatch b = RecordBatch.wrap(copy);
      b.ensureValid();
      b.setBaseOffset(next);
      next = b.nextOffset();
      logs.computeIfAbsent(topic + "-" + p, k -> new CopyOnWriteArrayList<>()).add(copy);
      pos += size;
    }
    return base;
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Service extends BrokerServiceGrpc.BrokerServiceImplBase {
    @Override
    public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> out) {
      metadataRequests.incrementAndGet();
      MetadataResponse.Builder r =
          MetadataResponse.newBuilder()
              .setClusterId("fake-cluster")
              .setControllerId(1)
              .addBrokers(BrokerEndpoint.newBuilder().setId(1).setHost("fakehost").setPort(9092));
      List<String> names =
          req.getAllTopics() ? new ArrayList<>(topics.keySet()) : req.getTopicsList();
      for (String t : names) {
        Integer n = topics.get(t);
        if (n == null) {
          r.addTopics(
              TopicMetadata.newBuilder().setName(t).setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(t).setTopicId("id-" + t);
        for (int p = 0; p < n; p++) {
          tm.addPartitions(
              PartitionMetadata.newBuilder().setPartition(p).setLeader(1).addReplicas(1).addIsr(1));
        }
        r.addTopics(tm);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<ProduceRequest> produce(StreamObserver<ProduceResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(ProduceRequest req) {
          produceRequests.add(req);
          int now = unanswered.incrementAndGet();
          maxConcurrentInFlight.accumulateAndGet(now, Math::max);
          if (req.getAcks() == 0 || !answerProduce) {
            if (req.getAcks() == 0) {
              unanswered.decrementAndGet();
            }
            for (TopicProduceData t : req.getTopicsList()) {
              for (PartitionProduceData p : t.getPartitionsList()) {
                if (req.getAcks() == 0) {
                  append(t.getTopic(), p.getPartition(), p.getRecords().asReadOnlyByteBuffer());
                }
              }
            }
            return;
          }
          ProduceResponse.Builder r = ProduceResponse.newBuilder().setRequestId(req.getRequestId());
          for (TopicProduceData t : req.getTopicsList()) {
            TopicProduceResponse.Builder tr =
                TopicProduceResponse.newBuilder().setTopic(t.getTopic());
            for (PartitionProduceData p : t.getPartitionsList()) {
              ErrorCode injected = produceErrors.poll();
              if (injected != null) {
                tr.addPartitions(
                    PartitionProduceResponse.newBuilder()
                        .setPartition(p.getPartition())
                        .setError(injected)
                        .setErrorMessage("injected " + injected)
                        .setBaseOffset(-1));
                continue;
              }
              long base =
                  append(t.getTopic(), p.getPartition(), p.getRecords().asReadOnlyByteBuffer());
              tr.addPartitions(
                  PartitionProduceResponse.newBuilder()
                      .setPartition(p.getPartition())
                      .setBaseOffset(base)
                      .setLogAppendTimeMs(-1));
            }
            r.addTopics(tr);
          }
          unanswered.decrementAndGet();
          out.onNext(r.build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<FetchRequest> fetchStream(StreamObserver<FetchResponse> out) {
      fetchStreamsOpened.incrementAndGet();
      StreamObserver<FetchRequest> in = fetchStreamOf(this::fetch, out);
      return new StreamObserver<>() {
        @Override
        public void onNext(FetchRequest req) {
          if (answerFetch) {
            in.onNext(req);
          } else {
            fetchRequests.incrementAndGet();
          }
        }

        @Override
        public void onError(Throwable t) {
          fetchStreamsFailed.incrementAndGet();
        }

        @Override
        public void onCompleted() {
          in.onCompleted();
        }
      };
    }

    @Override
    public void fetch(FetchRequest req, StreamObserver<FetchResponse> out) {
      fetchRequests.incrementAndGet();
      FetchResponse.Builder r = FetchResponse.newBuilder();
      boolean any = false;
      for (FetchTopic t : req.getTopicsList()) {
        FetchTopicResponse.Builder tr = FetchTopicResponse.newBuilder().setTopic(t.getTopic());
        for (FetchPartition p : t.getPartitionsList()) {
          ErrorCode injected = fetchErrors.poll();
          long end = logEnd(t.getTopic(), p.getPartition());
          FetchPartitionResponse.Builder pr =
              FetchPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setHighWatermark(end);
          if (injected != null) {
            pr.setError(injected);
          } else if (p.getFetchOffset() > end) {
            pr.setError(ErrorCode.OFFSET_OUT_OF_RANGE);
          } else {
            ByteString.Output bytes = ByteString.newOutput();
            int size = 0;
            for (ByteBuffer b :
                logs.getOrDefault(t.getTopic() + "-" + p.getPartition(), List.of())) {
              RecordBatch rb = RecordBatch.wrap(b);
              if (rb.lastOffset() < p.getFetchOffset()) {
                continue;
              }
              if (size > 0 && size + rb.sizeInBytes() > p.getPartitionMaxBytes()) {
                break;
              }
              byte[] arr = new byte[b.remaining()];
              b.duplicate().get(arr);
              bytes.write(arr, 0, arr.length);
              size += arr.length;
            }
            pr.setRecords(bytes.toByteString());
            any |= size > 0;
          }
          tr.addPartitions(pr);
        }
        r.addTopics(tr);
      }
      if (!any && req.getMaxWaitMs() > 0) {
        try {
          Thread.sleep(Math.min(req.getMaxWaitMs(), 20));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void listOffsets(ListOffsetsRequest req, StreamObserver<ListOffsetsResponse> out) {
      ListOffsetsResponse.Builder r = ListOffsetsResponse.newBuilder();
      for (ListOffsetsTopic t : req.getTopicsList()) {
        ListOffsetsTopicResponse.Builder tr =
            ListOffsetsTopicResponse.newBuilder().setTopic(t.getTopic());
        for (ListOffsetsPartition p : t.getPartitionsList()) {
          long offset = p.getTimestamp() == -2 ? 0 : logEnd(t.getTopic(), p.getPartition());
          tr.addPartitions(
              ListOffsetsPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setOffset(offset)
                  .setTimestamp(-1));
        }
        r.addTopics(tr);
      }
      out.onNext(r.build());
      out.onCompleted();
    }

    @Override
    public void createTopics(CreateTopicsRequest req, StreamObserver<CreateTopicsResponse> out) {
      CreateTopicsResponse.Builder r = CreateTopicsResponse.newBuilder();
      for (CreatableTopic t : req.getTopicsList()) {
        ErrorCode e = createErrors.getOrDefault(t.getName(), ErrorCode.NONE);
        if (e == ErrorCode.NONE && topics.containsKey(t.getName())) {
          e = ErrorCode.TOPIC_ALREADY_EXISTS;
        }
        CreatableTopicResult.Builder tr =
            CreatableTopicResult.newBuilder().setName(t.getName()).setError(e);
        if (e == ErrorCode.TOPIC_ALREADY_EXISTS) {
          tr.setErrorMessage("Topic '" + t.getName() + "' already exists.");
        } else if (e != ErrorCode.NONE) {
          tr.setErrorMessage("injected " + e);
        } else {
          topics.put(t.getName(), Math.max(1, t.getNumPartitions()));
          tr.setNumPartitions(Math.max(1, t.getNumPartitions())).setReplicationFactor(1);
        }
        r.addTopics(tr);
      }
      out.onNext(r.build());
      out.onCompleted();
    }
  }
}
