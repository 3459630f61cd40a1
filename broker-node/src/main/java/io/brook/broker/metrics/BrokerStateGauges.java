package io.brook.broker.metrics;

import io.brook.broker.log.Log;
import io.brook.broker.replica.Partition;
import io.brook.broker.server.MetadataCache;
import io.brook.protocol.v1.PartitionState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The gauges read from the broker's existing state at scrape time (nothing is updated on the hot
 * path): partition counts and health as this broker's replicas see them, the controller's view when
 * this broker is the active controller, disk usage, consumer-group lag, and {@code /health} as a
 * gauge. A gauge whose source fails is logged and skipped for that scrape.
 *
 * <p>Thread-safe: every source is read through thread-safe accessors (partition states are
 * immutable snapshots; the metadata cache is a snapshot).
 */
public final class BrokerStateGauges {
  private static final Logger log = LogManager.getLogger(BrokerStateGauges.class);

  /** Where the gauges read from; each supplier is called on the scraping thread. */
  public record Sources(
      Supplier<Collection<Partition>> partitions,
      Supplier<MetadataCache.Snapshot> metadata,
      BooleanSupplier activeController,
      IntSupplier activeControllerEpoch,
      Supplier<List<Path>> logDirs,
      Supplier<Collection<Log>> logs,
      Supplier<List<ConsumerGroupLag.Entry>> groupLags,
      Supplier<BrokerHealth.Report> health) {}

  private BrokerStateGauges() {}

  /** Registers every scrape-time gauge into {@code registry}. */
  public static void register(PrometheusRegistry registry, Sources s) {
    gauge(
        registry,
        "brook_server_replicamanager_partition_count",
        "Partitions with a replica on this broker",
        cb -> cb.call(s.partitions().get().size()));
    gauge(
        registry,
        "brook_server_replicamanager_leader_count",
        "Partitions this broker leads",
        cb -> cb.call(count(s, p -> true)));
    gauge(
        registry,
        "brook_server_replicamanager_under_replicated_partitions",
        "Partitions this broker leads whose ISR is smaller than their replica set",
        cb -> cb.call(count(s, st -> st.isr().size() < st.replicas().size())));
    gauge(
        registry,
        "brook_server_replicamanager_under_min_isr_partition_count",
        "Partitions this broker leads whose ISR is smaller than min.insync.replicas",
        cb -> cb.call(countLeaders(s, p -> p.state().isr().size() < p.minInsyncReplicas())));
    gauge(
        registry,
        "brook_server_replicamanager_at_min_isr_partition_count",
        "Partitions this broker leads whose ISR size equals min.insync.replicas",
        cb -> cb.call(countLeaders(s, p -> p.state().isr().size() == p.minInsyncReplicas())));
    gauge(
        registry,
        "brook_controller_kafkacontroller_active_controller_count",
        "1 on the active controller, 0 elsewhere",
        cb -> cb.call(s.activeController().getAsBoolean() ? 1 : 0));
    gauge(
        registry,
        "brook_controller_kafkacontroller_controller_epoch",
        "The controller epoch: the active controller's own, else the last one this broker heard of",
        cb ->
            cb.call(
                s.activeController().getAsBoolean()
                    ? s.activeControllerEpoch().getAsInt()
                    : s.metadata().get().controllerEpoch()));
    gauge(
        registry,
        "brook_controller_kafkacontroller_offline_partitions_count",
        "On the active controller: partitions without a leader (leader -1); 0 elsewhere",
        cb -> cb.call(controllerOnly(s, BrokerStateGauges::offlinePartitions)));
    gauge(
        registry,
        "brook_controller_kafkacontroller_global_partition_count",
        "On the active controller: partitions in the cluster; 0 elsewhere",
        cb -> cb.call(controllerOnly(s, BrokerStateGauges::allPartitions)));
    gauge(
        registry,
        "brook_controller_kafkacontroller_global_topic_count",
        "On the active controller: topics in the cluster; 0 elsewhere",
        cb -> cb.call(controllerOnly(s, m -> m.topics().size())));
    gauge(
        registry,
        "brook_server_kafkaserver_healthy",
        "1 when /health answers 200 (registered in ZooKeeper and serving), else 0",
        cb -> cb.call(s.health().get().healthy() ? 1 : 0));
    registerDiskGauges(registry, s);
    registerLagGauges(registry, s);
  }

  private static void registerDiskGauges(PrometheusRegistry registry, Sources s) {
    GaugeWithCallback.builder()
        .name("brook_log_log_size_bytes")
        .help("Bytes of a partition's log on this broker (all segments)")
        .labelNames("topic", "partition")
        .callback(
            safe(
                "brook_log_log_size_bytes",
                cb -> {
                  for (Log l : s.logs().get()) {
                    cb.call(
                        l.size(),
                        l.topicPartition().topic(),
                        String.valueOf(l.topicPartition().partition()));
                  }
                }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("brook_log_logdir_size_bytes")
        .help("Bytes of the partition logs in a log directory")
        .labelNames("dir")
        .callback(
            safe(
                "brook_log_logdir_size_bytes",
                cb -> {
                  Map<Path, Long> bytes = new HashMap<>();
                  for (Path d : s.logDirs().get()) {
                    bytes.put(d.toAbsolutePath().normalize(), 0L);
                  }
                  for (Log l : s.logs().get()) {
                    bytes.merge(
                        l.dir().toAbsolutePath().normalize().getParent(), l.size(), Long::sum);
                  }
                  bytes.forEach((d, b) -> cb.call(b, d.toString()));
                }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("brook_log_logdir_free_bytes")
        .help("Usable bytes left on the file system of a log directory")
        .labelNames("dir")
        .callback(safe("brook_log_logdir_free_bytes", cb -> fileStores(s, cb, true)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("brook_log_logdir_total_bytes")
        .help("Size of the file system of a log directory")
        .labelNames("dir")
        .callback(safe("brook_log_logdir_total_bytes", cb -> fileStores(s, cb, false)))
        .register(registry);
  }

  private static void fileStores(Sources s, GaugeWithCallback.Callback cb, boolean usable) {
    for (Path d : s.logDirs().get()) {
      try {
        FileStore store = Files.getFileStore(d);
        cb.call(
            usable ? store.getUsableSpace() : store.getTotalSpace(),
            d.toAbsolutePath().normalize().toString());
      } catch (IOException e) {
        log.debug("No file store for log dir {}: {}", d, e.toString());
      }
    }
  }

  private static void registerLagGauges(PrometheusRegistry registry, Sources s) {
    // One computation per scrape for both gauges would need a MultiCollector; the coordinator pass
    // is cheap, so each gauge reads it.
    GaugeWithCallback.builder()
        .name("brook_consumergroup_current_offset")
        .help("A group's committed offset, on the group's coordinator")
        .labelNames("consumergroup", "topic", "partition")
        .callback(
            safe(
                "brook_consumergroup_current_offset",
                cb -> {
                  for (ConsumerGroupLag.Entry e : s.groupLags().get()) {
                    cb.call(
                        e.committedOffset(),
                        e.group(),
                        e.tp().topic(),
                        String.valueOf(e.tp().partition()));
                  }
                }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("brook_consumergroup_lag")
        .help(
            "High watermark minus a group's committed offset, on the group's coordinator for"
                + " partitions with a replica there")
        .labelNames("consumergroup", "topic", "partition")
        .callback(
            safe(
                "brook_consumergroup_lag",
                cb -> {
                  for (ConsumerGroupLag.Entry e : s.groupLags().get()) {
                    if (e.lag() >= 0) {
                      cb.call(
                          e.lag(), e.group(), e.tp().topic(), String.valueOf(e.tp().partition()));
                    }
                  }
                }))
        .register(registry);
  }

  private static void gauge(
      PrometheusRegistry registry,
      String name,
      String help,
      Consumer<GaugeWithCallback.Callback> callback) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(safe(name, callback))
        .register(registry);
  }

  private static Consumer<GaugeWithCallback.Callback> safe(
      String name, Consumer<GaugeWithCallback.Callback> callback) {
    return cb -> {
      try {
        callback.accept(cb);
      } catch (RuntimeException e) {
        log.warn("Metric {} could not be read: {}", name, e.toString());
      }
    };
  }

  /** Partitions led here whose state satisfies {@code test}. */
  private static long count(Sources s, java.util.function.Predicate<Partition.State> test) {
    return countLeaders(s, p -> test.test(p.state()));
  }

  private static long countLeaders(Sources s, java.util.function.Predicate<Partition> test) {
    long n = 0;
    for (Partition p : s.partitions().get()) {
      if (p.isLeader() && !p.state().stopped() && test.test(p)) {
        n++;
      }
    }
    return n;
  }

  private static long controllerOnly(
      Sources s, java.util.function.ToLongFunction<MetadataCache.Snapshot> f) {
    return s.activeController().getAsBoolean() ? f.applyAsLong(s.metadata().get()) : 0;
  }

  static long offlinePartitions(MetadataCache.Snapshot m) {
    long n = 0;
    for (MetadataCache.TopicView t : m.topics().values()) {
      for (PartitionState p : t.partitions().values()) {
        if (p.getLeader() < 0) {
          n++;
        }
      }
    }
    return n;
  }

  static long allPartitions(MetadataCache.Snapshot m) {
    long n = 0;
    for (MetadataCache.TopicView t : m.topics().values()) {
      n += t.partitions().size();
    }
    return n;
  }
}
