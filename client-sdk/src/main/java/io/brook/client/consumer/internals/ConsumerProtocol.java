package io.brook.client.consumer.internals;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.brook.client.common.errors.SerializationException;
import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ConsumerProtocolAssignment;
import io.brook.protocol.v1.ConsumerProtocolSubscription;
import io.brook.protocol.v1.TopicPartitions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The consumer's embedded group protocol (protocol type {@value #PROTOCOL_TYPE}): what a member
 * puts in JoinGroup's metadata and what the leader puts in SyncGroup's assignments, as the protobuf
 * messages {@link ConsumerProtocolSubscription} and {@link ConsumerProtocolAssignment}. The broker
 * treats these bytes as opaque; admin tools decode them to describe members. Stateless.
 */
public final class ConsumerProtocol {
  public static final String PROTOCOL_TYPE = "consumer";

  private ConsumerProtocol() {}

  public static byte[] serializeSubscription(Subscription s) {
    ConsumerProtocolSubscription.Builder b =
        ConsumerProtocolSubscription.newBuilder()
            .addAllTopics(s.topics())
            .addAllOwnedPartitions(byTopic(s.ownedPartitions()))
            .setGenerationId(s.generationId().orElse(-1))
            .setRackId(s.rackId().orElse(""));
    if (s.userData() != null) {
      b.setUserData(ByteString.copyFrom(s.userData().duplicate()));
    }
    return b.build().toByteArray();
  }

  public static Subscription deserializeSubscription(byte[] bytes) {
    try {
      ConsumerProtocolSubscription p = ConsumerProtocolSubscription.parseFrom(bytes);
      return new Subscription(
          p.getTopicsList(),
          p.getUserData().isEmpty() ? null : p.getUserData().asReadOnlyByteBuffer(),
          flatten(p.getOwnedPartitionsList()),
          p.getGenerationId(),
          p.getRackId().isEmpty() ? Optional.empty() : Optional.of(p.getRackId()));
    } catch (InvalidProtocolBufferException e) {
      throw new SerializationException("Not a consumer subscription: " + e.getMessage(), e);
    }
  }

  public static byte[] serializeAssignment(Assignment a) {
    ConsumerProtocolAssignment.Builder b =
        ConsumerProtocolAssignment.newBuilder().addAllAssignedPartitions(byTopic(a.partitions()));
    if (a.userData() != null) {
      b.setUserData(ByteString.copyFrom(a.userData().duplicate()));
    }
    return b.build().toByteArray();
  }

  /** An empty array decodes as an empty assignment (a member described while rebalancing). */
  public static Assignment deserializeAssignment(byte[] bytes) {
    try {
      ConsumerProtocolAssignment p = ConsumerProtocolAssignment.parseFrom(bytes);
      return new Assignment(
          flatten(p.getAssignedPartitionsList()),
          p.getUserData().isEmpty() ? null : p.getUserData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new SerializationException("Not a consumer assignment: " + e.getMessage(), e);
    }
  }

  public static Assignment deserializeAssignment(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return deserializeAssignment(bytes);
  }

  /** Partitions grouped by topic, topics and partitions sorted. */
  public static List<TopicPartitions> byTopic(Collection<TopicPartition> partitions) {
    Map<String, List<Integer>> m = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      m.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    List<TopicPartitions> out = new ArrayList<>(m.size());
    m.forEach(
        (t, ps) -> {
          ps.sort(null);
          out.add(TopicPartitions.newBuilder().setTopic(t).addAllPartitions(ps).build());
        });
    return out;
  }

  public static List<TopicPartition> flatten(List<TopicPartitions> byTopic) {
    List<TopicPartition> out = new ArrayList<>();
    for (TopicPartitions t : byTopic) {
      for (int p : t.getPartitionsList()) {
        out.add(new TopicPartition(t.getTopic(), p));
      }
    }
    return out;
  }
}
