package io.brook.broker.metrics.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.metrics.RequestMetrics;
import io.brook.broker.testing.Wait;
import io.brook.common.MockTime;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request interceptor over the in-process transport, with a mock clock that the handlers
 * advance: unary calls count one request and one latency each; failures count their status code; a
 * stream's answers are paired with their requests by request id even out of order; unanswered
 * stream requests (acks=0) count as requests without a latency.
 */
class RequestMetricsInterceptorTest {

  /** What the interceptor reported, as "service/method" keys. */
  static final class Recorded implements RequestMetrics {
    final Map<String, Integer> requests = new ConcurrentHashMap<>();
    final List<String> latencies = new CopyOnWriteArrayList<>(); // "key=millis"
    final Map<String, Integer> errors = new ConcurrentHashMap<>();

    @Override
    public void onRequest(String service, String method) {
      requests.merge(service + "/" + method, 1, Integer::sum);
    }

    @Override
    public void onResponse(String service, String method, long nanos) {
      latencies.add(service + "/" + method + "=" + TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    @Override
    public void onError(String service, String method, String code) {
      errors.merge(service + "/" + method + " " + code, 1, Integer::sum);
    }
  }

  final MockTime time = new MockTime();
  final Recorded recorded = new Recorded();
  final LinkedBlockingQueue<StreamObserver<ProduceResponse>> produceStreams =
      new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<ProduceRequest> produced = new LinkedBlockingQueue<>();
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    BrokerServiceGrpc.BrokerServiceImplBase service =
        new BrokerServiceGrpc.BrokerServiceImplBase() {
          @Override
          public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> out) {
            time.advance(7);
            if (req.getTopicsCount() > 0 && req.getTopics(0).equals("fail")) {
              out.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException());
              return;
            }
            out.onNext(MetadataResponse.getDefaultInstance());
            out.onCompleted();
          }

          @Override
          public StreamObserver<ProduceRequest> produce(StreamObserver<ProduceResponse> out) {
            produceStreams.add(out);
            return new StreamObserver<>() {
              @Override
              public void onNext(ProduceRequest r) {
                produced.add(r);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                out.onCompleted();
              }
            };
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(service)
            .intercept(new RequestMetricsInterceptor(recorded, time))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void unaryCallsCountOneRequestAndOneLatencyEach() {
    BrokerServiceGrpc.BrokerServiceBlockingStub stub = BrokerServiceGrpc.newBlockingStub(channel);
    stub.metadata(MetadataRequest.getDefaultInstance());
    stub.metadata(MetadataRequest.getDefaultInstance());

    assertEquals(Map.of("BrokerService/Metadata", 2), recorded.requests);
    assertEquals(
        List.of("BrokerService/Metadata=7", "BrokerService/Metadata=7"), recorded.latencies);
    assertEquals(Map.of(), recorded.errors);
  }

  @Test
  void aFailedCallCountsItsStatusCode() {
    BrokerServiceGrpc.BrokerServiceBlockingStub stub = BrokerServiceGrpc.newBlockingStub(channel);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub.metadata(MetadataRequest.newBuilder().addTopics("fail").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());

    assertEquals(Map.of("BrokerService/Metadata", 1), recorded.requests);
    assertEquals(Map.of("BrokerService/Metadata NOT_FOUND", 1), recorded.errors);
    assertEquals(List.of("BrokerService/Metadata=7"), recorded.latencies);
  }

  @Test
  void streamAnswersArePairedWithTheirRequestsByIdEvenOutOfOrder() throws Exception {
    LinkedBlockingQueue<ProduceResponse> answers = new LinkedBlockingQueue<>();
    StreamObserver<ProduceRequest> requests =
        BrokerServiceGrpc.newStub(channel)
            .produce(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProduceResponse r) {
                    answers.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ProduceRequest.newBuilder().setRequestId(1).setAcks(1).build());
    time.advance(10);
    requests.onNext(ProduceRequest.newBuilder().setRequestId(2).setAcks(1).build());
    requests.onNext(ProduceRequest.newBuilder().setRequestId(3).setAcks(0).build()); // no answer
    Wait.until("three requests at the server", () -> produced.size() == 3);
    StreamObserver<ProduceResponse> out = produceStreams.take();

    time.advance(5);
    out.onNext(ProduceResponse.newBuilder().setRequestId(2).build()); // 5 ms after it arrived
    time.advance(20);
    out.onNext(ProduceResponse.newBuilder().setRequestId(1).build()); // 35 ms after it arrived
    out.onNext(ProduceResponse.newBuilder().setRequestId(99).build()); // never asked: ignored
    requests.onCompleted();
    Wait.until("three answers at the client", () -> answers.size() == 3);

    assertEquals(Map.of("BrokerService/Produce", 3), recorded.requests);
    assertEquals(
        List.of("BrokerService/Produce=5", "BrokerService/Produce=35"), recorded.latencies);
    assertEquals(Map.of(), recorded.errors);
  }

  @Test
  void aCancelledStreamCountsAsCancelled() {
    StreamObserver<ProduceRequest> requests =
        BrokerServiceGrpc.newStub(channel)
            .produce(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProduceResponse r) {}

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ProduceRequest.newBuilder().setRequestId(1).build());
    requests.onError(new RuntimeException("client gives up"));
    Wait.until(
        "the cancellation counted",
        () -> recorded.errors.getOrDefault("BrokerService/Produce CANCELLED", 0) == 1);
    assertTrue(recorded.latencies.isEmpty(), "no answer, no latency: " + recorded.latencies);
  }

  @Test
  void requestIdIsReadOnlyFromMessagesThatHaveOne() {
    assertEquals(
        42L,
        RequestMetricsInterceptor.requestId(ProduceRequest.newBuilder().setRequestId(42).build()));
    assertNull(RequestMetricsInterceptor.requestId(MetadataRequest.getDefaultInstance()));
    assertNull(RequestMetricsInterceptor.requestId("not a message"));
  }
}
