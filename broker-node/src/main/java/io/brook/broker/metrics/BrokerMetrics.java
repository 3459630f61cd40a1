package io.brook.broker.metrics;

import io.brook.common.TopicPartition;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * One broker's Prometheus registry and the metrics that events update: traffic per topic (client
 * appends and fetches, replication), ISR shrinks and expands, requests per gRPC call with their
 * latency percentiles. Gauges that can be read from existing state at scrape time are registered by
 * {@link BrokerStateGauges} into the same {@link #registry()}; the JVM's by {@link
 * #registerJvmMetrics()}. Names, types and labels are documented in {@code docs/metrics.md}.
 *
 * <p>Each broker has its own registry (several brokers may share a JVM in tests). Thread-safe: the
 * Prometheus client's metrics are lock-free on the recording path. Without exemplars: Brook has no
 * tracing to link them to, and each exemplar sampler costs a check per observation and a timer
 * task.
 */
public final class BrokerMetrics implements ReplicaMetricsListener, RequestMetrics {
  /** The latency quantiles reported per call, with their allowed rank error. */
  private static final double[][] QUANTILES = {
    {0.5, 0.02}, {0.75, 0.02}, {0.95, 0.005}, {0.99, 0.001}, {0.999, 0.0005}
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final Counter bytesIn =
      topicCounter("brook_server_brokertopicmetrics_bytes_in", "Bytes appended by producers");
  private final Counter messagesIn =
      topicCounter("brook_server_brokertopicmetrics_messages_in", "Records appended by producers");
  private final Counter bytesOut =
      topicCounter(
          "brook_server_brokertopicmetrics_bytes_out", "Bytes returned to consumers' fetches");
  private final Counter messagesOut =
      topicCounter(
          "brook_server_brokertopicmetrics_messages_out",
          "Records (whole batches) returned to consumers' fetches");
  private final Counter replicationBytesIn =
      topicCounter(
          "brook_server_brokertopicmetrics_replication_bytes_in",
          "Bytes this broker appended as a follower");
  private final Counter replicationBytesOut =
      topicCounter(
          "brook_server_brokertopicmetrics_replication_bytes_out",
          "Bytes this broker sent to followers as a leader");
  private final Counter isrShrinks =
      Counter.builder()
          .withoutExemplars()
          .name("brook_server_replicamanager_isr_shrinks")
          .help("ISR shrinks proposed by this broker as leader and committed by the controller")
          .register(registry);
  private final Counter isrExpands =
      Counter.builder()
          .withoutExemplars()
          .name("brook_server_replicamanager_isr_expands")
          .help("ISR expansions proposed by this broker as leader and committed by the controller")
          .register(registry);
  private final Counter requests =
      Counter.builder()
          .withoutExemplars()
          .name("brook_network_requestmetrics_requests")
          .help("Requests received: unary calls, and messages of streams (Produce, Replicate)")
          .labelNames("service", "method")
          .register(registry);
  private final Counter errors =
      Counter.builder()
          .withoutExemplars()
          .name("brook_network_requestmetrics_errors")
          .help("Calls that ended with a gRPC status other than OK (domain errors are in replies)")
          .labelNames("service", "method", "code")
          .register(registry);
  private final Summary latency;

  public BrokerMetrics() {
    Summary.Builder b =
        Summary.builder()
            .withoutExemplars()
            .name("brook_network_requestmetrics_request_latency_seconds")
            .help(
                "Time from a request's arrival to its answer (long-poll waits included), over"
                    + " the last 5 minutes")
            .unit(Unit.SECONDS)
            .labelNames("service", "method")
            .maxAgeSeconds(300)
            // every observation goes into each age bucket's estimator: few buckets, so that
            // the produce and replication streams pay little per request
            .numberOfAgeBuckets(2);
    for (double[] q : QUANTILES) {
      b.quantile(q[0], q[1]);
    }
    latency = b.register(registry);
  }

  private Counter topicCounter(String name, String help) {
    return Counter.builder()
        .withoutExemplars()
        .name(name)
        .help(help)
        .labelNames("topic")
        .register(registry);
  }

  /** The registry that {@code /metrics} serves. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Adds the Prometheus client's JVM metrics (memory, GC, threads, classes, CPU...). */
  public void registerJvmMetrics() {
    JvmMetrics.builder().register(registry);
  }

  @Override
  public void onAppend(String topic, long bytes, long records) {
    bytesIn.labelValues(topic).inc(bytes);
    messagesIn.labelValues(topic).inc(records);
  }

  @Override
  public void onFetch(String topic, long bytes, long records) {
    bytesOut.labelValues(topic).inc(bytes);
    messagesOut.labelValues(topic).inc(records);
  }

  @Override
  public void onReplicationBytesOut(String topic, long bytes) {
    replicationBytesOut.labelValues(topic).inc(bytes);
  }

  @Override
  public void onReplicationBytesIn(String topic, long bytes) {
    replicationBytesIn.labelValues(topic).inc(bytes);
  }

  @Override
  public void onIsrShrink(TopicPartition tp) {
    isrShrinks.inc();
  }

  @Override
  public void onIsrExpand(TopicPartition tp) {
    isrExpands.inc();
  }

  @Override
  public void onRequest(String service, String method) {
    requests.labelValues(service, method).inc();
  }

  @Override
  public void onResponse(String service, String method, long nanos) {
    latency.labelValues(service, method).observe(Unit.nanosToSeconds(nanos));
  }

  @Override
  public void onError(String service, String method, String code) {
    errors.labelValues(service, method, code).inc();
  }
}
