package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.broker.grpc.GrpcControllerClient;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.protocol.v1.AlterConfigsResource;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigResourceType;
import io.brook.protocol.v1.ControllerServiceGrpc;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.OngoingPartitionReassignment;
import io.brook.protocol.v1.OngoingTopicReassignment;
import io.brook.protocol.v1.ReassignableTopic;
import io.brook.protocol.v1.ReassignableTopicResult;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarding of the operations calls (IncrementalAlterConfigs, Alter/ListPartitionReassignments,
 * ElectLeaders) from a broker to the active controller: over real gRPC on loopback to a fake
 * ControllerService (retry on NOT_CONTROLLER, give-up answer at the timeout), and in process to the
 * local controller's adapter.
 */
class AdminForwarderOperationsTest {
  private static final ConfigResource TOPIC_T =
      ConfigResource.newBuilder().setType(ConfigResourceType.TOPIC).setName("t").build();

  /** A remote controller: answers NOT_CONTROLLER {@code notControllerFirst} times, then serves. */
  static final class FakeController extends ControllerServiceGrpc.ControllerServiceImplBase {
    final AtomicInteger notControllerFirst = new AtomicInteger();
    final List<Object> received = new CopyOnWriteArrayList<>();

    private boolean stillNotController() {
      return notControllerFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    @Override
    public void incrementalAlterConfigs(
        IncrementalAlterConfigsRequest req, StreamObserver<IncrementalAlterConfigsResponse> o) {
      received.add(req);
      ErrorCode e = stillNotController() ? ErrorCode.NOT_CONTROLLER : ErrorCode.NONE;
      IncrementalAlterConfigsResponse.Builder b = IncrementalAlterConfigsResponse.newBuilder();
      req.getResourcesList()
          .forEach(
              r ->
                  b.addResults(
                      AlterConfigsResourceResult.newBuilder()
                          .setResource(r.getResource())
                          .setError(e)));
      o.onNext(b.build());
      o.onCompleted();
    }

    @Override
    public void alterPartitionReassignments(
        AlterPartitionReassignmentsRequest req,
        StreamObserver<AlterPartitionReassignmentsResponse> o) {
      received.add(req);
      AlterPartitionReassignmentsResponse.Builder b =
          AlterPartitionReassignmentsResponse.newBuilder();
      if (stillNotController()) {
        b.setError(ErrorCode.NOT_CONTROLLER);
      } else {
        b.addTopics(ReassignableTopicResult.newBuilder().setName("t"));
      }
      o.onNext(b.build());
      o.onCompleted();
    }

    @Override
    public void listPartitionReassignments(
        ListPartitionReassignmentsRequest req,
        StreamObserver<ListPartitionReassignmentsResponse> o) {
      received.add(req);
      o.onNext(
          ListPartitionReassignmentsResponse.newBuilder()
              .setError(stillNotController() ? ErrorCode.NOT_CONTROLLER : ErrorCode.NONE)
              .addTopics(
                  OngoingTopicReassignment.newBuilder()
                      .setName("t")
                      .addPartitions(
                          OngoingPartitionReassignment.newBuilder()
                              .setPartition(0)
                              .addAllReplicas(List.of(2, 3, 4, 1))
                              .addAddingReplicas(4)
                              .addRemovingReplicas(1)))
              .build());
      o.onCompleted();
    }

    @Override
    public void electLeaders(ElectLeadersRequest req, StreamObserver<ElectLeadersResponse> o) {
      received.add(req);
      o.onNext(
          ElectLeadersResponse.newBuilder()
              .setError(stillNotController() ? ErrorCode.NOT_CONTROLLER : ErrorCode.NONE)
              .build());
      o.onCompleted();
    }
  }

  private final FakeController controller = new FakeController();
  private Server server;
  private GrpcControllerClient client;
  private ThreadPoolScheduler scheduler;
  private AdminForwarder forwarder;

  @BeforeEach
  void setUp() throws Exception {
    server = ServerBuilder.forPort(0).addService(controller).build().start();
    client = new GrpcControllerClient();
    scheduler = new ThreadPoolScheduler("forward-test", 1);
    MetadataCache cache = new MetadataCache();
    cache.update(
        UpdateMetadataRequest.newBuilder()
            .setControllerId(2)
            .setFull(true)
            .addLiveBrokers(
                BrokerEndpoint.newBuilder().setId(2).setHost("127.0.0.1").setPort(server.getPort()))
            .build());
    forwarder =
        new AdminForwarder(1, LocalController.NONE, client, cache, scheduler, Time.SYSTEM, 2000, 5);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    scheduler.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void everyOperationsCallReachesTheRemoteControllerAndNotControllerIsRetried() throws Exception {
    controller.notControllerFirst.set(2);
    IncrementalAlterConfigsResponse configs =
        get(
            forwarder.incrementalAlterConfigs(
                IncrementalAlterConfigsRequest.newBuilder()
                    .addResources(AlterConfigsResource.newBuilder().setResource(TOPIC_T))
                    .build()));
    assertEquals(ErrorCode.NONE, configs.getResults(0).getError());
    assertEquals(3, controller.received.size(), "two NOT_CONTROLLER answers, then the real one");

    controller.notControllerFirst.set(1);
    AlterPartitionReassignmentsResponse alter =
        get(
            forwarder.alterPartitionReassignments(
                AlterPartitionReassignmentsRequest.newBuilder()
                    .addTopics(ReassignableTopic.newBuilder().setName("t"))
                    .build()));
    assertEquals(ErrorCode.NONE, alter.getError());
    assertEquals("t", alter.getTopics(0).getName());

    controller.notControllerFirst.set(1);
    ListPartitionReassignmentsResponse list =
        get(
            forwarder.listPartitionReassignments(
                ListPartitionReassignmentsRequest.getDefaultInstance()));
    assertEquals(ErrorCode.NONE, list.getError());
    assertEquals(List.of(2, 3, 4, 1), list.getTopics(0).getPartitions(0).getReplicasList());

    controller.notControllerFirst.set(1);
    ElectLeadersResponse elect =
        get(
            forwarder.electLeaders(
                ElectLeadersRequest.newBuilder().setAllPartitions(true).build()));
    assertEquals(ErrorCode.NONE, elect.getError());
    assertEquals(9, controller.received.size());
  }

  @Test
  void noControllerWithinTheTimeoutAnswersNotControllerPerResource() throws Exception {
    controller.notControllerFirst.set(Integer.MAX_VALUE);
    IncrementalAlterConfigsResponse configs =
        get(
            forwarder.incrementalAlterConfigs(
                IncrementalAlterConfigsRequest.newBuilder()
                    .setTimeoutMs(200)
                    .addResources(AlterConfigsResource.newBuilder().setResource(TOPIC_T))
                    .build()));
    assertEquals(ErrorCode.NOT_CONTROLLER, configs.getResults(0).getError());
    assertEquals(TOPIC_T, configs.getResults(0).getResource());
    assertTrue(
        configs.getResults(0).getErrorMessage().startsWith("No controller answered"),
        configs.getResults(0).getErrorMessage());

    ElectLeadersResponse elect =
        get(
            forwarder.electLeaders(
                ElectLeadersRequest.newBuilder().setAllPartitions(true).setTimeoutMs(200).build()));
    assertEquals(ErrorCode.NOT_CONTROLLER, elect.getError());
  }
}
