package io.brook.client.consumer.internals;

import io.brook.common.TopicPartition;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The user data the sticky assignors put in a member's subscription, in a small binary layout
 * (big-endian, as Kafka's {@code StickyAssignorUserData} schemas). Stateless.
 *
 * <p>{@code StickyAssignor} (eager: a member revokes everything before joining, so its subscription
 * carries no owned partitions) sends its previous assignment and the generation it was received in:
 *
 * <pre>
 * field                 type               meaning
 * version               int16              {@value #VERSION}
 * topic_count           int32              number of topic entries that follow
 *   topic               int16 + UTF-8      topic name (length, then bytes)
 *   partition_count     int32              number of partitions that follow
 *     partition         int32              partition number
 * generation            int32              generation of that assignment, -1 when unknown
 * </pre>
 *
 * <p>{@code CooperativeStickyAssignor} sends only its generation (owned partitions and generation
 * travel in the subscription itself): {@code generation int32}, as Kafka's cooperative assignor
 * does for consumers that cannot read the subscription's generation.
 *
 * <p>Decoding is lenient: bytes that do not parse decode as "no previous assignment", so a member
 * sending garbage only loses stickiness, never breaks the leader's assignment.
 */
public final class StickyAssignorUserData {
  public static final short VERSION = 1;
  public static final int NO_GENERATION = -1;

  private StickyAssignorUserData() {}

  /** The previous assignment and its generation ({@link #NO_GENERATION} when unknown). */
  public static ByteBuffer encode(List<TopicPartition> partitions, int generation) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    int size = 2 + 4 + 4;
    List<byte[]> names = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (name.length > Short.MAX_VALUE) {
        throw new IllegalArgumentException("topic name too long: " + name.length + " bytes");
      }
      names.add(name);
      size += 2 + name.length + 4 + 4 * e.getValue().size();
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.putShort(VERSION);
    buffer.putInt(byTopic.size());
    int i = 0;
    for (List<Integer> ps : byTopic.values()) {
      byte[] name = names.get(i++);
      buffer.putShort((short) name.length);
      buffer.put(name);
      buffer.putInt(ps.size());
      ps.stream().sorted().forEach(buffer::putInt);
    }
    buffer.putInt(generation);
    return buffer.flip();
  }

  /**
   * The previous assignment and generation in {@code userData} (not consumed: read from a
   * duplicate); empty partitions and no generation when null, empty or malformed.
   */
  public static MemberData decode(ByteBuffer userData) {
    if (userData == null || !userData.hasRemaining()) {
      return MemberData.EMPTY;
    }
    ByteBuffer b = userData.duplicate();
    try {
      short version = b.getShort();
      if (version < VERSION) {
        return MemberData.EMPTY;
      }
      int topics = b.getInt();
      if (topics < 0) {
        return MemberData.EMPTY;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (int t = 0; t < topics; t++) {
        int nameLength = b.getShort();
        if (nameLength < 0) {
          return MemberData.EMPTY;
        }
        byte[] name = new byte[nameLength];
        b.get(name);
        String topic = new String(name, StandardCharsets.UTF_8);
        int count = b.getInt();
        if (count < 0 || count > b.remaining() / 4) {
          return MemberData.EMPTY;
        }
        for (int p = 0; p < count; p++) {
          partitions.add(new TopicPartition(topic, b.getInt()));
        }
      }
      int generation = b.getInt();
      return new MemberData(
          partitions, generation < 0 ? Optional.empty() : Optional.of(generation));
    } catch (BufferUnderflowException e) {
      return MemberData.EMPTY;
    }
  }

  /** The cooperative assignor's user data: the generation alone. */
  public static ByteBuffer encodeGeneration(int generation) {
    return ByteBuffer.allocate(4).putInt(generation).flip();
  }

  /** The generation in the cooperative assignor's user data, if it holds one. */
  public static Optional<Integer> decodeGeneration(ByteBuffer userData) {
    if (userData == null || userData.remaining() != 4) {
      return Optional.empty();
    }
    int generation = userData.duplicate().getInt();
    return generation < 0 ? Optional.empty() : Optional.of(generation);
  }

  /**
   * What a member claims to own and the generation it owned it in, as Kafka's {@code
   * AbstractStickyAssignor.MemberData}.
   */
  public record MemberData(List<TopicPartition> partitions, Optional<Integer> generation) {
    public static final MemberData EMPTY = new MemberData(List.of(), Optional.empty());

    public MemberData {
      partitions = List.copyOf(partitions);
    }
  }
}
