package io.brook.controller.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where exceptions become gRPC statuses (Status.java's rule: UNAVAILABLE = retry the
 * call, INVALID_ARGUMENT = fix the request, INTERNAL = a bug). Stateless.
 */
public final class StatusMapper {
  private StatusMapper() {}

  public static Status toStatus(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (t instanceof StatusException s) {
      return s.getStatus();
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).withCause(t);
    }
    if (t instanceof RejectedExecutionException || t instanceof IllegalStateException) {
      return Status.UNAVAILABLE.withDescription("controller is shutting down").withCause(t);
    }
    if (t instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(t.getMessage()).withCause(t);
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription(t.getMessage()).withCause(t);
    }
    return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t);
  }

  public static StatusRuntimeException toStatusException(Throwable t) {
    return toStatus(t).asRuntimeException();
  }
}
