package io.brook.broker.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.testing.Wait;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopicResponse;
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
 * The FetchStream: one request at a time, answered in order with its request id; a failed fetch
 * ends the stream with the unary call's status; shutdown drains it. Over the in-process transport,
 * with a BrokerApi whose fetch answers are completed by the test.
 */
class FetchStreamTest {
  /** Records every fetch; answers when the test completes its future. */
  static final class ScriptedApi extends UnsupportedBrokerApi {
    final List<FetchRequest> fetched = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<FetchResponse>> answers = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
      CompletableFuture<FetchResponse> f = new CompletableFuture<>();
      fetched.add(request);
      answers.add(f);
      return f;
    }

    /** Answers fetch {@code i} with a response naming its topic, so answers can be told apart. */
    void answer(int i) {
      answers
          .get(i)
          .complete(
              FetchResponse.newBuilder()
                  .addTopics(FetchTopicResponse.newBuilder().setTopic("t" + i))
                  .build());
    }
  }

  /** The client side of one FetchStream. */
  static final class Client extends StreamClient<FetchResponse> {
    StreamObserver<FetchRequest> requests;

    void send(long requestId) {
      requests.onNext(FetchRequest.newBuilder().setReplicaId(-1).setRequestId(requestId).build());
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
    c.requests = BrokerServiceGrpc.newStub(channel).fetchStream(c);
    return c;
  }

  @Test
  void answersOneRequestAtATimeInOrderWithItsRequestId() throws Exception {
    Client c = open();
    c.send(7);
    c.send(8); // pipelined: the broker reads it only once 7 is answered
    Wait.until("request 7 read", Duration.ofSeconds(30), () -> api.fetched.size() == 1);
    assertNull(c.responses.poll(200, TimeUnit.MILLISECONDS), "7 is not answered yet");
    assertEquals(1, api.fetched.size(), "8 is not read while 7 is unanswered");

    api.answer(0);
    FetchResponse first = c.next();
    assertEquals(7, first.getRequestId());
    assertEquals("t0", first.getTopics(0).getTopic());

    Wait.until("request 8 read", Duration.ofSeconds(30), () -> api.fetched.size() == 2);
    assertEquals(8, api.fetched.get(1).getRequestId());
    api.answer(1);
    FetchResponse second = c.next();
    assertEquals(8, second.getRequestId());
    assertEquals("t1", second.getTopics(0).getTopic());
    assertFalse(c.ended.isDone(), "the stream stays open for the next fetch");
    assertEquals(1, service.openStreams().size());
  }

  @Test
  void aFailedFetchEndsTheStreamWithTheStatusOfTheUnaryCall() throws Exception {
    Client c = open();
    c.send(1);
    Wait.until("request 1 read", Duration.ofSeconds(30), () -> api.fetched.size() == 1);
    api.answers.get(0).completeExceptionally(new IllegalArgumentException("bad fetch"));
    Status s = c.endStatus();
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertEquals("bad fetch", s.getDescription());
    assertTrue(c.responses.isEmpty(), "no answer: " + c.responses);
    assertEquals(0, service.openStreams().size(), "an ended stream is forgotten");
  }

  @Test
  void drainedStreamAnswersTheFetchItHoldsThenEndsUnavailable() throws Exception {
    Client c = open();
    c.send(1);
    Wait.until("request 1 read", Duration.ofSeconds(30), () -> api.fetched.size() == 1);

    service.openStreams().drainAll();
    assertFalse(c.ended.isDone(), "the stream waits for the answer to request 1");
    api.answer(0);
    assertEquals(1, c.next().getRequestId());
    Status s = c.endStatus();
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("shutting down"), s.getDescription());
    assertEquals(0, service.openStreams().size());
  }

  @Test
  void drainEndsAnIdleStreamAtOnceAndEndDropsAPendingAnswer() throws Exception {
    Client idle = open();
    Client busy = open();
    busy.send(1);
    Wait.until("request 1 read", Duration.ofSeconds(30), () -> api.fetched.size() == 1);
    Wait.until("both open", Duration.ofSeconds(30), () -> service.openStreams().size() == 2);

    service.openStreams().endAll();
    assertEquals(Status.Code.UNAVAILABLE, idle.endStatus().getCode());
    assertEquals(Status.Code.UNAVAILABLE, busy.endStatus().getCode());
    api.answer(0); // completes after the end: nothing is sent, nothing throws
    assertNull(busy.responses.poll(200, TimeUnit.MILLISECONDS), "no answer after the end");
    assertEquals(0, service.openStreams().size());
  }

  @Test
  void aClientThatHalfClosesGetsItsAnswerAndANormalEnd() throws Exception {
    Client c = open();
    c.send(1);
    c.requests.onCompleted();
    Wait.until("request 1 read", Duration.ofSeconds(30), () -> api.fetched.size() == 1);
    api.answer(0);
    assertEquals(1, c.next().getRequestId());
    assertNull(c.ended.get(30, TimeUnit.SECONDS));
    Wait.until(
        "the stream forgotten", Duration.ofSeconds(30), () -> service.openStreams().size() == 0);
  }
}
