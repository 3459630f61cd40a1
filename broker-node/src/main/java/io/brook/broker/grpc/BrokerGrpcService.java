package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * BrokerService over gRPC: decodes nothing itself (protobuf did), calls {@link BrokerApi}, sends
 * the answer. Produce streams are handled by {@link ProduceStream}; the open ones are tracked in
 * {@link #openStreams()} so that a broker shutting down can end them. Thread-safe.
 */
public final class BrokerGrpcService extends BrokerServiceGrpc.BrokerServiceImplBase {
  private final BrokerApi api;
  private final int produceWindow;
  private final OpenStreams openStreams = new OpenStreams();

  /**
   * @param produceWindow how many produce requests of one stream may be in the broker at once (read
   *     but not answered); more stay in the transport, so a client cannot queue unbounded work
   */
  public BrokerGrpcService(BrokerApi api, int produceWindow) {
    this.api = api;
    this.produceWindow = produceWindow;
  }

  @Override
  public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> out) {
    reply(() -> api.metadata(req), out);
  }

  @Override
  public StreamObserver<ProduceRequest> produce(StreamObserver<ProduceResponse> out) {
    return new ProduceStream(
        api, (ServerCallStreamObserver<ProduceResponse>) out, produceWindow, openStreams);
  }

  /** The Produce streams open now. */
  OpenStreams openStreams() {
    return openStreams;
  }

  @Override
  public void fetch(FetchRequest req, StreamObserver<FetchResponse> out) {
    reply(() -> api.fetch(req), out);
  }

  @Override
  public void listOffsets(ListOffsetsRequest req, StreamObserver<ListOffsetsResponse> out) {
    reply(() -> api.listOffsets(req), out);
  }

  @Override
  public void createTopics(CreateTopicsRequest req, StreamObserver<CreateTopicsResponse> out) {
    reply(() -> api.createTopics(req), out);
  }

  @Override
  public void deleteTopics(DeleteTopicsRequest req, StreamObserver<DeleteTopicsResponse> out) {
    reply(() -> api.deleteTopics(req), out);
  }

  @Override
  public void createPartitions(
      CreatePartitionsRequest req, StreamObserver<CreatePartitionsResponse> out) {
    reply(() -> api.createPartitions(req), out);
  }

  @Override
  public void describeCluster(
      DescribeClusterRequest req, StreamObserver<DescribeClusterResponse> out) {
    reply(() -> api.describeCluster(req), out);
  }

  @Override
  public void describeConfigs(
      DescribeConfigsRequest req, StreamObserver<DescribeConfigsResponse> out) {
    reply(() -> api.describeConfigs(req), out);
  }

  @Override
  public void initProducerId(
      InitProducerIdRequest req, StreamObserver<InitProducerIdResponse> out) {
    reply(() -> api.initProducerId(req), out);
  }

  static <T> void reply(Supplier<CompletableFuture<T>> call, StreamObserver<T> out) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (r, e) -> {
          if (e != null) {
            out.onError(GrpcStatuses.toStatus(e));
          } else {
            out.onNext(r);
            out.onCompleted();
          }
        });
  }
}
