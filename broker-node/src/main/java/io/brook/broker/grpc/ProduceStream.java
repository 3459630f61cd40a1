package io.brook.broker.grpc;

import io.brook.broker.replica.ErrorMapper;
import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicProduceResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * One client's Produce stream. Requests are appended in the order they arrive (gRPC delivers a
 * call's messages one at a time, and {@link BrokerApi#produce} appends before it returns); answers
 * go back as they complete, each with its request id (acks=0 gets none: an acks=0 request that
 * fails ends the stream instead, as Kafka closes the connection, so the producer finds the leader
 * again).
 *
 * <p>Flow control: automatic inbound flow control is off; the stream asks the transport for {@code
 * window} requests at first and for one more each time a request is answered, and only while the
 * client reads its answers ({@code isReady()}); otherwise the credit waits for the onReady handler.
 * So at most {@code window} requests per stream are in the broker at once.
 *
 * <p>Shutdown ({@link OpenStreams}): once drained, the stream appends nothing more (a request read
 * after that is neither appended nor answered, so the client retries it elsewhere), answers the
 * requests already appended as they complete, then ends with the drain status. {@link #end} ends it
 * at once. Either way, a request is answered only with what its completion said, so nothing is
 * acknowledged that the broker did not acknowledge.
 *
 * <p>Thread rules: {@link #onNext} runs on gRPC's serialized call executor; completions run on
 * whatever thread completes the future (an append, a high-watermark move, a timer); drain and end
 * on the thread shutting the broker down. Everything that touches the outbound observer holds
 * {@code lock}, since it is not thread-safe.
 */
final class ProduceStream extends AnsweringStream<ProduceRequest, ProduceResponse> {
  private final BrokerApi api;

  // @GuardedBy("lock")
  private int deferredCredits;

  ProduceStream(
      BrokerApi api,
      ServerCallStreamObserver<ProduceResponse> out,
      int window,
      OpenStreams openStreams) {
    super(out, openStreams);
    this.api = api;
    out.setOnReadyHandler(this::onReady);
    out.request(window);
    register();
  }

  @Override
  public void onNext(ProduceRequest req) {
    synchronized (lock) {
      if (!taking()) {
        return; // not appended: the client retries it once the stream has ended
      }
      inFlight++;
    }
    CompletableFuture<ProduceResponse> f;
    try {
      f = api.produce(req);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, e) -> finish(req, r, e));
  }

  private void finish(ProduceRequest req, ProduceResponse r, Throwable e) {
    ProduceResponse resp = r;
    if (e != null) {
      resp =
          ProduceResponse.newBuilder()
              .setRequestId(req.getRequestId())
              .setError(ErrorMapper.code(e))
              .setErrorMessage(ErrorMapper.message(e))
              .build();
    }
    synchronized (lock) {
      inFlight--;
      if (done) {
        return;
      }
      if (req.getAcks() != 0) {
        out.onNext(resp);
      } else if (drainStatus == null && failedAnywhere(resp)) {
        // acks=0 has no answer to carry the error: end the stream, as Kafka closes the
        // connection, so that the producer refreshes its metadata instead of sending to a broker
        // that is not the leader (or cannot take the records) until metadata.max.age.ms
        drainStatus =
            Status.UNAVAILABLE
                .withDescription("acks=0 produce failed (" + firstError(resp) + "); reconnect")
                .asRuntimeException();
      }
      if (drainStatus == null) {
        if (out.isReady()) {
          out.request(1);
        } else {
          deferredCredits++;
        }
      }
      endIfAnsweredLocked();
    }
  }

  private void onReady() {
    synchronized (lock) {
      if (taking() && deferredCredits > 0) {
        out.request(deferredCredits);
        deferredCredits = 0;
      }
    }
  }

  private static boolean failedAnywhere(ProduceResponse r) {
    return firstError(r) != null;
  }

  /**
   * The response's first error, "CODE: message" (topic-partition for partition errors), or null.
   */
  private static String firstError(ProduceResponse r) {
    if (r.getError() != ErrorCode.NONE) {
      return r.getError() + ": " + r.getErrorMessage();
    }
    for (TopicProduceResponse t : r.getTopicsList()) {
      for (PartitionProduceResponse p : t.getPartitionsList()) {
        if (p.getError() != ErrorCode.NONE) {
          return t.getTopic()
              + "-"
              + p.getPartition()
              + " "
              + p.getError()
              + ": "
              + p.getErrorMessage();
        }
      }
    }
    return null;
  }
}
