package io.brook.broker.testing;

import com.google.protobuf.ByteString;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.FetchPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopic;
import io.brook.protocol.v1.ListOffsetsPartition;
import io.brook.protocol.v1.ListOffsetsPartitionResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsTopic;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicProduceData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Raw gRPC calls to one broker, for tests of the wire behavior (bad input included). */
public final class BrokerClient implements AutoCloseable {
  private final ManagedChannel channel;
  public final BrokerServiceGrpc.BrokerServiceBlockingStub blocking;
  public final BrokerServiceGrpc.BrokerServiceStub async;

  public BrokerClient(int port) {
    this.channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    this.blocking = BrokerServiceGrpc.newBlockingStub(channel);
    this.async = BrokerServiceGrpc.newStub(channel);
  }

  public BrokerServiceGrpc.BrokerServiceBlockingStub call() {
    return blocking.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public static ProduceRequest produceRequest(
      long id, int acks, String topic, int partition, ByteString records) {
    return ProduceRequest.newBuilder()
        .setRequestId(id)
        .setAcks(acks)
        .setTimeoutMs(30_000)
        .addTopics(
            TopicProduceData.newBuilder()
                .setTopic(topic)
                .addPartitions(
                    PartitionProduceData.newBuilder().setPartition(partition).setRecords(records)))
        .build();
  }

  /** The Produce stream failed (gRPC error) before the awaited response arrived. */
  public static final class StreamFailedException extends RuntimeException {
    StreamFailedException(Throwable cause) {
      super("the Produce stream failed: " + cause, cause);
    }
  }

  /** An open Produce stream that collects responses. */
  public final class ProduceStream implements AutoCloseable {
    public final LinkedBlockingQueue<ProduceResponse> responses = new LinkedBlockingQueue<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final StreamObserver<ProduceRequest> requests;

    ProduceStream() {
      this.requests =
          async.produce(
              new StreamObserver<>() {
                @Override
                public void onNext(ProduceResponse r) {
                  responses.add(r);
                }

                @Override
                public void onError(Throwable t) {
                  errors.add(t);
                  closed.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  closed.complete(null);
                }
              });
    }

    public void send(ProduceRequest r) {
      requests.onNext(r);
    }

    /**
     * The next response; throws {@link StreamFailedException} once the stream failed with nothing
     * left to read (a broker shutting down cancels its streams), AssertionError after 60 s.
     */
    public ProduceResponse next() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        ProduceResponse r = responses.poll(50, TimeUnit.MILLISECONDS);
        if (r != null) {
          return r;
        }
        if (!errors.isEmpty() && responses.isEmpty()) {
          throw new StreamFailedException(errors.get(0));
        }
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("no produce response within 60 s; stream errors: " + errors);
        }
      }
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }

  public ProduceStream openProduce() {
    return new ProduceStream();
  }

  /** Sends one request on a fresh stream and returns its answer. */
  public ProduceResponse produce(ProduceRequest r) throws InterruptedException {
    try (ProduceStream s = openProduce()) {
      s.send(r);
      return s.next();
    }
  }

  public PartitionProduceResponse produceOne(int acks, String topic, int p, ByteString records)
      throws InterruptedException {
    ProduceResponse r = produce(produceRequest(1, acks, topic, p, records));
    return r.getTopics(0).getPartitions(0);
  }

  public static FetchRequest fetchRequest(
      String topic, int p, long offset, int maxWaitMs, int minBytes, int leaderEpoch) {
    return FetchRequest.newBuilder()
        .setReplicaId(-1)
        .setMaxWaitMs(maxWaitMs)
        .setMinBytes(minBytes)
        .setMaxBytes(50 * 1024 * 1024)
        .addTopics(
            FetchTopic.newBuilder()
                .setTopic(topic)
                .addPartitions(
                    FetchPartition.newBuilder()
                        .setPartition(p)
                        .setFetchOffset(offset)
                        .setPartitionMaxBytes(10 * 1024 * 1024)
                        .setCurrentLeaderEpoch(leaderEpoch)))
        .build();
  }

  public FetchPartitionResponse fetch(String topic, int p, long offset) {
    FetchResponse r = call().fetch(fetchRequest(topic, p, offset, 0, 1, -1));
    return r.getTopics(0).getPartitions(0);
  }

  public ListOffsetsPartitionResponse listOffset(String topic, int p, long timestamp) {
    return call()
        .listOffsets(
            ListOffsetsRequest.newBuilder()
                .addTopics(
                    ListOffsetsTopic.newBuilder()
                        .setTopic(topic)
                        .addPartitions(
                            ListOffsetsPartition.newBuilder()
                                .setPartition(p)
                                .setTimestamp(timestamp)
                                .setCurrentLeaderEpoch(-1)))
                .build())
        .getTopics(0)
        .getPartitions(0);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
