package io.brook.client.tools;

import io.brook.client.common.PartitionInfo;
import io.brook.client.common.serialization.ByteArrayDeserializer;
import io.brook.client.common.serialization.ByteArraySerializer;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * brook-e2e-latency.sh BOOTSTRAP TOPIC N ACKS SIZE [WARMUP]: the loop of the benchmark's
 * E2ELatencyMicros with the Brook SDK. Send one record synchronously (linger 0), poll until it is
 * back, time it in microseconds; WARMUP round trips first are not recorded.
 */
public final class EndToEndLatency {
  private EndToEndLatency() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] a) {
    return ToolArgs.run("EndToEndLatency", ToolArgs.verbose(a), () -> execute(a));
  }

  private static int execute(String[] a) throws Exception {
    if (a.length != 5 && a.length != 6) {
      throw new ToolArgs.UsageException(
          "USAGE: brook-e2e-latency.sh broker_list topic num_messages producer_acks"
              + " message_size_bytes [warmup_round_trips]");
    }
    String bs = a[0];
    String topic = a[1];
    String acks = a[3];
    int n;
    int size;
    int warmup;
    try {
      n = Integer.parseInt(a[2]);
      size = Integer.parseInt(a[4]);
      warmup = a.length > 5 ? Integer.parseInt(a[5]) : 0;
    } catch (NumberFormatException e) {
      throw new ToolArgs.UsageException(
          "num_messages, message_size_bytes and warmup must be numbers");
    }
    if (!List.of("1", "all", "-1", "0").contains(acks)) {
      throw new ToolArgs.UsageException(
          "Latency testing requires synchronous acknowledgement." + " Please use 1 or all");
    }
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bs);
    cp.put("auto.offset.reset", "latest");
    cp.put("fetch.max.wait.ms", "0");
    cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
    Properties pp = new Properties();
    pp.put("bootstrap.servers", bs);
    pp.put("linger.ms", "0");
    pp.put("acks", acks);
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    try (BrookConsumer<byte[], byte[]> c = new BrookConsumer<>(cp);
        BrookProducer<byte[], byte[]> p = new BrookProducer<>(pp)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo i : c.partitionsFor(topic)) {
        tps.add(new TopicPartition(i.topic(), i.partition()));
      }
      if (tps.isEmpty()) {
        throw new ToolArgs.UsageException("Topic " + topic + " does not exist");
      }
      c.assign(tps);
      c.seekToEnd(tps);
      c.assignment().forEach(c::position);
      long[] us = new long[n];
      Random r = new Random(0);
      double total = 0;
      for (int i = -warmup; i < n; i++) {
        byte[] msg = new byte[size];
        Arrays.fill(msg, (byte) (r.nextInt(26) + 65));
        long t0 = System.nanoTime();
        p.send(new ProducerRecord<>(topic, msg)).get();
        ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(60000));
        long el = System.nanoTime() - t0;
        if (recs.count() != 1 || !Arrays.equals(recs.iterator().next().value(), msg)) {
          throw new IllegalStateException(
              "expected exactly the record just sent, got " + recs.count());
        }
        if (i < 0) {
          continue;
        }
        us[i] = el / 1000;
        total += el;
      }
      Arrays.sort(us);
      System.out.printf("Round trips: %d measured after %d warm-up%n", n, warmup);
      System.out.printf("Avg latency: %.4f ms%n", n == 0 ? 0.0 : total / n / 1e6);
      if (n > 0) {
        System.out.printf(
            "Percentiles (us): 50th = %d, 99th = %d, 99.9th = %d, max = %d%n",
            us[(int) (n * 0.5)], us[(int) (n * 0.99)], us[(int) (n * 0.999)], us[n - 1]);
      }
    }
    return 0;
  }
}
