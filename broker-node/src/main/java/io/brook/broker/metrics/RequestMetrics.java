package io.brook.broker.metrics;

/**
 * What the gRPC request interceptor tells the metrics, per call: the service ({@code
 * BrokerService}, {@code ControllerService}, ...) and method ({@code Produce}, {@code Fetch}, ...).
 * A request is a unary call or one message of a stream; its latency runs from its arrival to its
 * answer.
 *
 * <p>Thread rules: called from gRPC's threads; implementations only update metrics and never block.
 */
public interface RequestMetrics {
  RequestMetrics NONE = new RequestMetrics() {};

  /** A request arrived. */
  default void onRequest(String service, String method) {}

  /** A request was answered {@code nanos} after it arrived. */
  default void onResponse(String service, String method, long nanos) {}

  /** A call ended with a gRPC status other than OK ({@code code} as in {@code Status.Code}). */
  default void onError(String service, String method, String code) {}
}
