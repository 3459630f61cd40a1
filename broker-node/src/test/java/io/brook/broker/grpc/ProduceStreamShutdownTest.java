package io.brook.broker.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.Wait;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Produce stream when the broker shuts down: drained, it appends nothing more, answers what it
 * appended, then ends with UNAVAILABLE; ended, it ends at once and drops answers not sent. Over the
 * in-process transport, with a BrokerApi whose produce answers are completed by the test.
 */
class ProduceStreamShutdownTest {
  /** Records every produce call; answers when the test completes its future. */
  static final class ScriptedApi extends UnsupportedBrokerApi {
    final List<ProduceRequest> produced = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<ProduceResponse>> answers = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
      CompletableFuture<ProduceResponse> f = new CompletableFuture<>();
      produced.add(request);
      answers.add(f);
      return f;
    }

    void answer(int i) {
      answers
          .get(i)
          .complete(
              ProduceResponse.newBuilder().setRequestId(produced.get(i).getRequestId()).build());
    }
  }

  /** The client side of one Produce stream. */
  static final class Client extends StreamClient<ProduceResponse> {
    StreamObserver<ProduceRequest> requests;

    void send(long requestId) {
      requests.onNext(BrokerClient.produceRequest(requestId, 1, "t", 0, Batches.of(1, 1)));
    }
  }

  final ScriptedApi api = new ScriptedApi();
  final BrokerGrpcService service = new BrokerGrpcService(api, 16);
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Client open() {
    Client c = new Client();
    c.requests = BrokerServiceGrpc.newStub(channel).produce(c);
    return c;
  }

  private static void assertShuttingDown(Status s) {
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("shutting down"), s.getDescription());
  }

  @Test
  void drainedStreamAnswersWhatItAppendedAppendsNothingMoreThenEndsUnavailable() throws Exception {
    Client c = open();
    c.send(1);
    Wait.until("request 1 appended", Duration.ofSeconds(30), () -> api.produced.size() == 1);

    service.openStreams().drainAll();
    c.send(2); // read after the drain: neither appended nor answered
    assertNull(c.responses.poll(200, TimeUnit.MILLISECONDS), "request 1 is not answered yet");
    assertFalse(c.ended.isDone(), "the stream waits for the answer to request 1");

    api.answer(0);
    assertEquals(1, c.responses.poll(30, TimeUnit.SECONDS).getRequestId());
    assertShuttingDown(c.endStatus());
    assertEquals(1, api.produced.size(), "request 2 was not appended: " + api.produced);
    assertTrue(c.responses.isEmpty(), "only request 1 answered: " + c.responses);
    assertEquals(0, service.openStreams().size(), "an ended stream is forgotten");
  }

  @Test
  void drainEndsAnIdleStreamAtOnceAndAStreamOpenedAfterIt() throws Exception {
    Client idle = open();
    idle.send(1);
    Wait.until("request 1 appended", Duration.ofSeconds(30), () -> api.produced.size() == 1);
    api.answer(0);
    assertEquals(1, idle.responses.poll(30, TimeUnit.SECONDS).getRequestId());

    service.openStreams().drainAll();
    assertShuttingDown(idle.endStatus());

    Client late = open();
    late.send(2);
    assertShuttingDown(late.endStatus());
    assertEquals(1, api.produced.size(), "nothing appended from the late stream");
  }

  @Test
  void endDropsAnswersNotSentYet() throws Exception {
    Client c = open();
    c.send(1);
    Wait.until("request 1 appended", Duration.ofSeconds(30), () -> api.produced.size() == 1);

    service.openStreams().endAll();
    assertShuttingDown(c.endStatus());
    api.answer(0); // completes after the end: nothing is sent, nothing throws
    assertNull(c.responses.poll(200, TimeUnit.MILLISECONDS), "no answer after the end");
    assertEquals(0, service.openStreams().size());
  }

  @Test
  void aClientThatHalfClosesGetsItsAnswersAndANormalEnd() throws Exception {
    Client c = open();
    c.send(1);
    c.requests.onCompleted();
    Wait.until("request 1 appended", Duration.ofSeconds(30), () -> api.produced.size() == 1);
    api.answer(0);
    assertEquals(1, c.responses.poll(30, TimeUnit.SECONDS).getRequestId());
    assertNull(c.ended.get(30, TimeUnit.SECONDS));
    Wait.until(
        "the stream forgotten", Duration.ofSeconds(30), () -> service.openStreams().size() == 0);
  }
}
