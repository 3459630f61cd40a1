package io.brook.broker.grpc;

import io.brook.broker.replica.ErrorMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The one mapping from a whole-call failure to a gRPC status (per-partition failures travel in
 * responses as error codes instead). Follows Status.java's rule: UNAVAILABLE means "retry this
 * call"; INVALID_ARGUMENT means the request itself is wrong. Stateless.
 */
final class GrpcStatuses {
  private static final Logger log = LogManager.getLogger(GrpcStatuses.class);

  private GrpcStatuses() {}

  static StatusRuntimeException toStatus(Throwable t) {
    t = ErrorMapper.unwrap(t);
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof RejectedExecutionException || t instanceof IllegalStateException) {
      return Status.UNAVAILABLE
          .withDescription("The broker is not serving: " + t.getMessage())
          .asRuntimeException();
    }
    if (t instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(t.getMessage()).asRuntimeException();
    }
    log.error("Unexpected error while handling a call", t);
    return Status.INTERNAL
        .withDescription(t.getClass().getSimpleName() + ": " + t.getMessage())
        .asRuntimeException();
  }
}
