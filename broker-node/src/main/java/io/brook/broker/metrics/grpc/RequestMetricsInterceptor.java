package io.brook.broker.metrics.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.brook.broker.metrics.RequestMetrics;
import io.brook.common.Time;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures every call the broker's gRPC server handles, for {@link RequestMetrics}: one request per
 * unary call, answered when the call closes; one request per message of a stream, answered by the
 * outbound message with the same {@code request_id} field (Produce and Replicate answer out of
 * order, each answer naming its request; FetchStream answers in order, naming it too). Stream
 * messages without a {@code request_id} field, and acks=0 produce requests (never answered), count
 * as requests without a latency. Calls that end with a status other than OK (or are cancelled by
 * the client) count as errors; Brook's domain errors travel in the replies and are not counted
 * here.
 *
 * <p>Thread rules: gRPC serializes a call's listener callbacks but may send messages from other
 * threads, so a stream's table of requests waiting for an answer is guarded by its own lock; it
 * holds at most {@link #MAX_WAITING_PER_STREAM} entries (the oldest are dropped).
 */
public final class RequestMetricsInterceptor implements ServerInterceptor {
  /** Requests of one stream waiting for their answer that are tracked at most. */
  static final int MAX_WAITING_PER_STREAM = 1024;

  private final RequestMetrics metrics;
  private final Time time;

  public RequestMetricsInterceptor(RequestMetrics metrics, Time time) {
    this.metrics = metrics;
    this.time = time;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> md = call.getMethodDescriptor();
    String service = simpleServiceName(md.getServiceName());
    String method = md.getBareMethodName();
    if (md.getType() == MethodDescriptor.MethodType.UNARY) {
      return unary(call, headers, next, service, method);
    }
    return stream(call, headers, next, service, method);
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> unary(
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next,
      String service,
      String method) {
    long start = time.nanoseconds();
    metrics.onRequest(service, method);
    ServerCall<ReqT, RespT> measured =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.onResponse(service, method, time.nanoseconds() - start);
            if (!status.isOk()) {
              metrics.onError(service, method, status.getCode().name());
            }
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
      @Override
      public void onCancel() {
        metrics.onError(service, method, Status.Code.CANCELLED.name());
        super.onCancel();
      }
    };
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> stream(
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next,
      String service,
      String method) {
    // request_id -> arrival (nanos), oldest first
    Map<Long, Long> waiting =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > MAX_WAITING_PER_STREAM;
          }
        };
    ServerCall<ReqT, RespT> measured =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(RespT message) {
            Long id = requestId(message);
            if (id != null) {
              Long start;
              synchronized (waiting) {
                start = waiting.remove(id);
              }
              if (start != null) {
                metrics.onResponse(service, method, time.nanoseconds() - start);
              }
            }
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!status.isOk()) {
              metrics.onError(service, method, status.getCode().name());
            }
            synchronized (waiting) {
              waiting.clear();
            }
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
      @Override
      public void onMessage(ReqT message) {
        metrics.onRequest(service, method);
        Long id = requestId(message);
        if (id != null) {
          long now = time.nanoseconds();
          synchronized (waiting) {
            waiting.put(id, now);
          }
        }
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        metrics.onError(service, method, Status.Code.CANCELLED.name());
        synchronized (waiting) {
          waiting.clear();
        }
        super.onCancel();
      }
    };
  }

  /** {@code brook.v1.BrokerService} -> {@code BrokerService}. */
  static String simpleServiceName(String fullName) {
    int dot = fullName.lastIndexOf('.');
    return dot < 0 ? fullName : fullName.substring(dot + 1);
  }

  /** The message's integer {@code request_id} field, or null when it has none. */
  static Long requestId(Object message) {
    // the stream messages of the hot paths, without reflection or a field lookup
    if (message instanceof io.brook.protocol.v1.ProduceRequest r) {
      return r.getRequestId();
    }
    if (message instanceof io.brook.protocol.v1.ProduceResponse r) {
      return r.getRequestId();
    }
    if (message instanceof io.brook.protocol.v1.FetchRequest r) {
      return r.getRequestId();
    }
    if (message instanceof io.brook.protocol.v1.FetchResponse r) {
      return r.getRequestId();
    }
    if (message instanceof io.brook.protocol.v1.ReplicaFetchRequest r) {
      return r.getRequestId();
    }
    if (message instanceof io.brook.protocol.v1.ReplicaFetchResponse r) {
      return r.getRequestId();
    }
    if (!(message instanceof Message m)) {
      return null;
    }
    FieldDescriptor f = m.getDescriptorForType().findFieldByName("request_id");
    if (f == null || f.isRepeated()) {
      return null;
    }
    return switch (f.getJavaType()) {
      case LONG -> (Long) m.getField(f);
      case INT -> ((Integer) m.getField(f)).longValue();
      default -> null;
    };
  }
}
