package io.brook.client.consumer.internals;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.Node;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ChannelFactory;
import io.brook.client.internals.Metadata;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.PartitionMetadata;
import io.brook.protocol.v1.TopicMetadata;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader that is down: once the channel knows it, every new FetchStream fails inside the call
 * that opens it (callbacks on the calling thread). The fetcher must give that fetch up and try
 * again after retry.backoff.ms, not wait for an answer that never comes.
 */
class FetcherDeadBrokerTest {
  /** Real Netty channels, as the consumer's: to a loopback port nobody listens on. */
  final BrokerChannels channels = new BrokerChannels(ChannelFactory.netty(1 << 20));

  final Metadata metadata =
      new Metadata(
          channels, List.of(new Node(-1, "localhost", 1, null)), 10, 300_000, 5_000, Time.SYSTEM);
  final TopicPartition tp = new TopicPartition("t", 0);

  @AfterEach
  void close() {
    channels.close();
  }

  @Test
  void aStreamThatFailsAsItOpensIsGivenUpAndRetried() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    metadata.update(
        MetadataResponse.newBuilder()
            .addBrokers(BrokerEndpoint.newBuilder().setId(1).setHost("127.0.0.1").setPort(deadPort))
            .addTopics(
                TopicMetadata.newBuilder()
                    .setName("t")
                    .addPartitions(
                        PartitionMetadata.newBuilder().setPartition(0).setLeader(1).addIsr(1)))
            .build(),
        Set.of("t"),
        System.currentTimeMillis());
    Fetcher fetcher =
        new Fetcher(channels, metadata, 1, 50 << 20, 0, 1 << 20, 30_000, 10, false, Time.SYSTEM);
    fetcher.assign(Set.of(tp), null);
    fetcher.seek(tp, 0);

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (fetcher.streamsOpened() < 5 && System.nanoTime() < deadline) {
      fetcher.sendFetches();
      fetcher.awaitData(5);
    }
    assertTrue(
        fetcher.streamsOpened() >= 5,
        "the fetcher stopped trying after " + fetcher.streamsOpened() + " streams");
    assertFalse(fetcher.hasCompleted(), "nothing fetched from a dead broker");
    fetcher.close();
  }
}
