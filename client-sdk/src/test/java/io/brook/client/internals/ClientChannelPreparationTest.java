package io.brook.client.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.client.common.serialization.StringDeserializer;
import io.brook.client.common.serialization.StringSerializer;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.common.Time;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Clients build the channel to their first bootstrap address when they are constructed (as Kafka's
 * build their network client), so that the first poll or send does not load the transport.
 */
class ClientChannelPreparationTest {
  private final List<String> opened = Collections.synchronizedList(new ArrayList<>());

  private ManagedChannel open(String host, int port) {
    opened.add(host + ":" + port);
    // nothing listens under this name: a call would fail, and none is made
    return InProcessChannelBuilder.forName("nobody-" + host + "-" + port).build();
  }

  @Test
  void aConsumerBuildsItsFirstBootstrapChannelWhenConstructed() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "first:9092,second:9093");
    p.put("group.id", "g");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    try (BrookConsumer<String, String> c =
        new BrookConsumer<>(new ConsumerConfig(p), null, null, this::open, Time.SYSTEM)) {
      assertEquals(List.of("first:9092"), opened);
    }
  }

  @Test
  void aProducerBuildsItsFirstBootstrapChannelWhenConstructed() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "first:9092,second:9093");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    try (BrookProducer<String, String> pr =
        new BrookProducer<>(new ProducerConfig(p), null, null, this::open, Time.SYSTEM, b -> 0)) {
      assertEquals("first:9092", opened.get(0));
    }
  }
}
