package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.protocol.AliasingMarshaller;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * BrokerService over gRPC: decodes nothing itself (protobuf did), calls {@link BrokerApi}, sends
 * the answer. Produce streams are handled by {@link ProduceStream}, FetchStream streams by {@link
 * FetchStream}; the open ones are tracked in {@link #openStreams()} so that a broker shutting down
 * can end them. Every call sees its client's address ({@link #clientHost()}, for JoinGroup).
 * Thread-safe.
 */
public final class BrokerGrpcService implements BrokerServiceGrpc.AsyncService, BindableService {
  private final BrokerApi api;
  private final int produceWindow;
  private final OpenStreams openStreams = new OpenStreams();

  /** The address of the client of the current call, as Kafka shows it: "/127.0.0.1". */
  private static final Context.Key<String> CLIENT_HOST = Context.key("brook-client-host");

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

  @Override
  public StreamObserver<FetchRequest> fetchStream(StreamObserver<FetchResponse> out) {
    return new FetchStream(api, (ServerCallStreamObserver<FetchResponse>) out, openStreams);
  }

  /** The Produce and FetchStream streams open now. */
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
  public void incrementalAlterConfigs(
      IncrementalAlterConfigsRequest req, StreamObserver<IncrementalAlterConfigsResponse> out) {
    reply(() -> api.incrementalAlterConfigs(req), out);
  }

  @Override
  public void alterPartitionReassignments(
      AlterPartitionReassignmentsRequest req,
      StreamObserver<AlterPartitionReassignmentsResponse> out) {
    reply(() -> api.alterPartitionReassignments(req), out);
  }

  @Override
  public void listPartitionReassignments(
      ListPartitionReassignmentsRequest req,
      StreamObserver<ListPartitionReassignmentsResponse> out) {
    reply(() -> api.listPartitionReassignments(req), out);
  }

  @Override
  public void electLeaders(ElectLeadersRequest req, StreamObserver<ElectLeadersResponse> out) {
    reply(() -> api.electLeaders(req), out);
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

  // ------------------------------------------------------------------ groups

  @Override
  public void findCoordinator(
      FindCoordinatorRequest req, StreamObserver<FindCoordinatorResponse> out) {
    reply(() -> api.findCoordinator(req), out);
  }

  @Override
  public void joinGroup(JoinGroupRequest req, StreamObserver<JoinGroupResponse> out) {
    String host = clientHost();
    reply(() -> api.joinGroup(req, host), out);
  }

  @Override
  public void syncGroup(SyncGroupRequest req, StreamObserver<SyncGroupResponse> out) {
    reply(() -> api.syncGroup(req), out);
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
    reply(() -> api.heartbeat(req), out);
  }

  @Override
  public void leaveGroup(LeaveGroupRequest req, StreamObserver<LeaveGroupResponse> out) {
    reply(() -> api.leaveGroup(req), out);
  }

  @Override
  public void offsetCommit(OffsetCommitRequest req, StreamObserver<OffsetCommitResponse> out) {
    reply(() -> api.offsetCommit(req), out);
  }

  @Override
  public void offsetFetch(OffsetFetchRequest req, StreamObserver<OffsetFetchResponse> out) {
    reply(() -> api.offsetFetch(req), out);
  }

  @Override
  public void listGroups(ListGroupsRequest req, StreamObserver<ListGroupsResponse> out) {
    reply(() -> api.listGroups(req), out);
  }

  @Override
  public void describeGroups(
      DescribeGroupsRequest req, StreamObserver<DescribeGroupsResponse> out) {
    reply(() -> api.describeGroups(req), out);
  }

  @Override
  public void deleteGroups(DeleteGroupsRequest req, StreamObserver<DeleteGroupsResponse> out) {
    reply(() -> api.deleteGroups(req), out);
  }

  @Override
  public void offsetDelete(OffsetDeleteRequest req, StreamObserver<OffsetDeleteResponse> out) {
    reply(() -> api.offsetDelete(req), out);
  }

  /**
   * This service with the interceptor that records each call's client address; produce requests are
   * parsed without copying their records ({@link AliasingMarshaller}).
   */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerInterceptors.intercept(
        AliasingMarshaller.aliasingRequests(
            BrokerServiceGrpc.bindService(this),
            Set.of(BrokerServiceGrpc.getProduceMethod().getFullMethodName())),
        new ClientHostInterceptor());
  }

  /** The client address of the current call ("/ip"), or "" outside a call. */
  static String clientHost() {
    String host = CLIENT_HOST.get();
    return host == null ? "" : host;
  }

  /** Kafka's form of a client address: "/" + the IP address (no name lookup). */
  static String hostOf(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return "/" + inet.getAddress().getHostAddress();
    }
    return address == null ? "" : address.toString();
  }

  private static final class ClientHostInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String host = hostOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      return Contexts.interceptCall(
          Context.current().withValue(CLIENT_HOST, host), call, headers, next);
    }
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
