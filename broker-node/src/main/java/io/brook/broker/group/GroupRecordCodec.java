package io.brook.broker.group;

import com.google.protobuf.InvalidProtocolBufferException;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of the records of {@code __consumer_offsets}, in Kafka's key layout (Kafka's {@code
 * GroupMetadataManager} key schemas), so that compaction keeps the last record per key: one key per
 * committed offset (group, topic, partition) and one per group.
 *
 * <p>Key (big-endian):
 *
 * <pre>
 * | field     | type   | present for        | meaning                                        |
 * |-----------|--------|--------------------|------------------------------------------------|
 * | version   | int16  | all                | 1 = offset commit, 2 = group metadata          |
 * | group     | string | all                | the group id                                   |
 * | topic     | string | version 1          | the committed partition's topic                |
 * | partition | int32  | version 1          | the committed partition                        |
 * </pre>
 *
 * A string is an int16 byte length followed by that many bytes of UTF-8 (Kafka's STRING: at most
 * 32767 bytes, never null). A key holds nothing after its last field.
 *
 * <p>Value (null for a tombstone: the offset or the group is deleted):
 *
 * <pre>
 * | field   | type  | meaning                                                           |
 * |---------|-------|-------------------------------------------------------------------|
 * | version | int16 | {@link #VALUE_VERSION} (0): the rest is protobuf                  |
 * | message | bytes | OffsetCommitValue (key version 1) or GroupMetadataValue (key 2), |
 * |         |       | to the end of the value                                           |
 * </pre>
 *
 * <p>Stateless and thread-safe. Malformed bytes (unknown versions, truncated fields, trailing
 * bytes, invalid UTF-8, unparsable protobuf) are refused with {@link
 * MalformedGroupRecordException}.
 */
public final class GroupRecordCodec {
  /** Key version of an offset commit (Kafka's OffsetCommitKey versions 0 and 1). */
  public static final short OFFSET_COMMIT_KEY_VERSION = 1;

  /** Key version of a group's metadata (Kafka's GroupMetadataKey version 2). */
  public static final short GROUP_METADATA_KEY_VERSION = 2;

  /** The only value version written and read: a protobuf message follows. */
  public static final short VALUE_VERSION = 0;

  private GroupRecordCodec() {}

  /** The record's key bytes. */
  public static byte[] key(GroupStore.GroupRecord record) {
    if (record instanceof GroupStore.GroupRecord.OffsetCommit c) {
      return offsetCommitKey(c.groupId(), c.partition());
    }
    return groupMetadataKey(record.groupId());
  }

  /** The record's value bytes, or null for a tombstone. */
  public static byte[] value(GroupStore.GroupRecord record) {
    com.google.protobuf.MessageLite v =
        record instanceof GroupStore.GroupRecord.OffsetCommit c
            ? c.value()
            : ((GroupStore.GroupRecord.GroupMetadata) record).value();
    byte[] message = v == null ? null : v.toByteArray();
    if (message == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(2 + message.length);
    b.putShort(VALUE_VERSION).put(message);
    return b.array();
  }

  static byte[] offsetCommitKey(String groupId, TopicPartition tp) {
    byte[] group = utf8(groupId, "group id");
    byte[] topic = utf8(tp.topic(), "topic");
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + group.length + 2 + topic.length + 4);
    b.putShort(OFFSET_COMMIT_KEY_VERSION);
    b.putShort((short) group.length).put(group);
    b.putShort((short) topic.length).put(topic);
    b.putInt(tp.partition());
    return b.array();
  }

  static byte[] groupMetadataKey(String groupId) {
    byte[] group = utf8(groupId, "group id");
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + group.length);
    b.putShort(GROUP_METADATA_KEY_VERSION);
    b.putShort((short) group.length).put(group);
    return b.array();
  }

  private static byte[] utf8(String s, String what) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          what + " of " + bytes.length + " bytes is longer than " + Short.MAX_VALUE + " bytes");
    }
    return bytes;
  }

  /**
   * Decodes one record.
   *
   * @param key the key bytes (position to limit); not null
   * @param value the value bytes, or null for a tombstone
   * @throws MalformedGroupRecordException when the bytes do not follow the layout above
   */
  public static GroupStore.GroupRecord decode(ByteBuffer key, ByteBuffer value) {
    if (key == null) {
      throw new MalformedGroupRecordException("a record of __consumer_offsets without a key");
    }
    ByteBuffer k = key.duplicate();
    try {
      short version = k.getShort();
      String group = readString(k, "group id");
      if (version == OFFSET_COMMIT_KEY_VERSION) {
        String topic = readString(k, "topic");
        int partition = k.getInt();
        ensureEnd(k, "offset commit key");
        OffsetCommitValue v = null;
        if (value != null) {
          try {
            v = OffsetCommitValue.parseFrom(valueMessage(value));
          } catch (InvalidProtocolBufferException e) {
            throw new MalformedGroupRecordException(
                "offset commit value of group " + group + " is not parsable: " + e.getMessage());
          }
        }
        return new GroupStore.GroupRecord.OffsetCommit(
            group, new TopicPartition(topic, partition), v);
      }
      if (version == GROUP_METADATA_KEY_VERSION) {
        ensureEnd(k, "group metadata key");
        GroupMetadataValue v = null;
        if (value != null) {
          try {
            v = GroupMetadataValue.parseFrom(valueMessage(value));
          } catch (InvalidProtocolBufferException e) {
            throw new MalformedGroupRecordException(
                "group metadata value of group " + group + " is not parsable: " + e.getMessage());
          }
        }
        return new GroupStore.GroupRecord.GroupMetadata(group, v);
      }
      throw new MalformedGroupRecordException("unknown key version " + version);
    } catch (BufferUnderflowException e) {
      throw new MalformedGroupRecordException(
          "key of " + key.remaining() + " bytes ends before its fields do");
    }
  }

  private static ByteBuffer valueMessage(ByteBuffer value) {
    ByteBuffer v = value.duplicate();
    if (v.remaining() < 2) {
      throw new MalformedGroupRecordException(
          "value of " + v.remaining() + " bytes has no version");
    }
    short version = v.getShort();
    if (version != VALUE_VERSION) {
      throw new MalformedGroupRecordException(
          "unknown value version " + version + " (this broker reads " + VALUE_VERSION + ")");
    }
    return v;
  }

  private static String readString(ByteBuffer b, String what) {
    short length = b.getShort();
    if (length < 0) {
      throw new MalformedGroupRecordException(what + " has a negative length " + length);
    }
    if (length > b.remaining()) {
      throw new MalformedGroupRecordException(
          what + " of " + length + " bytes is longer than the " + b.remaining() + " bytes left");
    }
    ByteBuffer s = b.slice(b.position(), length);
    b.position(b.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(s)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedGroupRecordException(what + " is not valid UTF-8");
    }
  }

  private static void ensureEnd(ByteBuffer b, String what) {
    if (b.hasRemaining()) {
      throw new MalformedGroupRecordException(
          what + " has " + b.remaining() + " unexpected trailing byte(s)");
    }
  }

  /**
   * A one-line description of a record for {@code brook-dump-log.sh --offsets-decoder}, in the
   * spirit of Kafka's OffsetsMessageParser: {@code key: {...} payload: {...}} ({@code payload:
   * <DELETE>} for a tombstone).
   */
  public static String describe(GroupStore.GroupRecord record) {
    StringBuilder s = new StringBuilder(160);
    if (record instanceof GroupStore.GroupRecord.OffsetCommit c) {
      {
        s.append("key: {\"type\":\"offset_commit\",\"group\":")
            .append(quote(c.groupId()))
            .append(",\"topic\":")
            .append(quote(c.partition().topic()))
            .append(",\"partition\":")
            .append(c.partition().partition())
            .append("} payload: ");
        OffsetCommitValue v = c.value();
        if (v == null) {
          s.append("<DELETE>");
        } else {
          s.append("{\"offset\":")
              .append(v.getOffset())
              .append(",\"leaderEpoch\":")
              .append(v.getLeaderEpoch())
              .append(",\"metadata\":")
              .append(quote(v.getMetadata()))
              .append(",\"commitTimestamp\":")
              .append(v.getCommitTimestamp())
              .append(",\"expireTimestamp\":")
              .append(v.getExpireTimestamp())
              .append('}');
        }
      }
    } else {
      GroupStore.GroupRecord.GroupMetadata g = (GroupStore.GroupRecord.GroupMetadata) record;
      {
        s.append("key: {\"type\":\"group_metadata\",\"group\":")
            .append(quote(g.groupId()))
            .append("} payload: ");
        GroupMetadataValue v = g.value();
        if (v == null) {
          s.append("<DELETE>");
        } else {
          s.append("{\"protocolType\":")
              .append(quote(v.getProtocolType()))
              .append(",\"generation\":")
              .append(v.getGeneration())
              .append(",\"protocol\":")
              .append(quote(v.getProtocol()))
              .append(",\"leader\":")
              .append(quote(v.getLeader()))
              .append(",\"currentStateTimestamp\":")
              .append(v.getCurrentStateTimestamp())
              .append(",\"members\":[");
          for (int i = 0; i < v.getMembersCount(); i++) {
            var m = v.getMembers(i);
            s.append(i == 0 ? "" : ",")
                .append("{\"memberId\":")
                .append(quote(m.getMemberId()))
                .append(",\"groupInstanceId\":")
                .append(quote(m.getGroupInstanceId()))
                .append(",\"clientId\":")
                .append(quote(m.getClientId()))
                .append(",\"clientHost\":")
                .append(quote(m.getClientHost()))
                .append(",\"rebalanceTimeout\":")
                .append(m.getRebalanceTimeoutMs())
                .append(",\"sessionTimeout\":")
                .append(m.getSessionTimeoutMs())
                .append(",\"subscription\":")
                .append(m.getSubscription().size())
                .append(",\"assignment\":")
                .append(m.getAssignment().size())
                .append('}');
          }
          s.append("]}");
        }
      }
    }
    return s.toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The bytes of a {@code __consumer_offsets} record do not follow the layout. */
  public static final class MalformedGroupRecordException extends RuntimeException {
    public MalformedGroupRecordException(String message) {
      super(message);
    }
  }
}
