package io.brook.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.group.GroupRecordCodec.MalformedGroupRecordException;
import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.MemberMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GroupRecordCodecTest {
  static final OffsetCommitValue OFFSET =
      OffsetCommitValue.newBuilder()
          .setOffset(42)
          .setLeaderEpoch(3)
          .setMetadata("meta \"quoted\"")
          .setCommitTimestamp(1_700_000_000_000L)
          .setExpireTimestamp(-1)
          .build();

  static final GroupMetadataValue GROUP =
      GroupMetadataValue.newBuilder()
          .setProtocolType("consumer")
          .setGeneration(7)
          .setProtocol("range")
          .setLeader("c-1")
          .setCurrentStateTimestamp(1234)
          .addMembers(
              MemberMetadataValue.newBuilder()
                  .setMemberId("c-1")
                  .setGroupInstanceId("i-1")
                  .setClientId("c")
                  .setClientHost("/127.0.0.1")
                  .setRebalanceTimeoutMs(300000)
                  .setSessionTimeoutMs(45000)
                  .setSubscription(ByteString.copyFromUtf8("sub"))
                  .setAssignment(ByteString.copyFromUtf8("assign")))
          .build();

  static GroupRecord roundTrip(GroupRecord r) {
    byte[] key = GroupRecordCodec.key(r);
    byte[] value = GroupRecordCodec.value(r);
    return GroupRecordCodec.decode(
        ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
  }

  static Stream<GroupRecord> records() {
    TopicPartition tp = new TopicPartition("orders", 5);
    return Stream.of(
        new GroupRecord.OffsetCommit("g", tp, OFFSET),
        new GroupRecord.OffsetCommit("g", tp, null),
        new GroupRecord.OffsetCommit("grüppe-ü", new TopicPartition("t.x_y-z", 0), OFFSET),
        new GroupRecord.OffsetCommit("g", new TopicPartition("t", Integer.MAX_VALUE), OFFSET),
        new GroupRecord.GroupMetadata("g", GROUP),
        new GroupRecord.GroupMetadata("g", GroupMetadataValue.getDefaultInstance()),
        new GroupRecord.GroupMetadata("", GROUP),
        new GroupRecord.GroupMetadata("g", null));
  }

  @ParameterizedTest
  @MethodSource("records")
  void roundTripsEveryKindOfRecord(GroupRecord r) {
    assertEquals(r, roundTrip(r));
  }

  @Test
  void offsetCommitKeyIsKafkasLayout() {
    byte[] key =
        GroupRecordCodec.key(
            new GroupRecord.OffsetCommit("ab", new TopicPartition("t", 258), OFFSET));
    assertArrayEquals(new byte[] {0, 1, 0, 2, 'a', 'b', 0, 1, 't', 0, 0, 1, 2}, key);
  }

  @Test
  void groupMetadataKeyIsKafkasLayout() {
    byte[] key = GroupRecordCodec.key(new GroupRecord.GroupMetadata("abc", GROUP));
    assertArrayEquals(new byte[] {0, 2, 0, 3, 'a', 'b', 'c'}, key);
  }

  @Test
  void valueIsVersionThenProtobuf() {
    byte[] value =
        GroupRecordCodec.value(
            new GroupRecord.OffsetCommit("g", new TopicPartition("t", 0), OFFSET));
    assertEquals(0, value[0]);
    assertEquals(0, value[1]);
    assertArrayEquals(OFFSET.toByteArray(), Arrays.copyOfRange(value, 2, value.length));
  }

  @Test
  void tombstoneHasNullValue() {
    assertNull(GroupRecordCodec.value(new GroupRecord.GroupMetadata("g", null)));
  }

  @Test
  void sameKeyForEveryValueOfOnePartitionSoCompactionKeepsTheLast() {
    TopicPartition tp = new TopicPartition("t", 1);
    assertArrayEquals(
        GroupRecordCodec.key(new GroupRecord.OffsetCommit("g", tp, OFFSET)),
        GroupRecordCodec.key(new GroupRecord.OffsetCommit("g", tp, null)));
  }

  static ByteBuffer bytes(int... b) {
    byte[] a = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      a[i] = (byte) b[i];
    }
    return ByteBuffer.wrap(a);
  }

  static ByteBuffer valueOf(int version, byte[] message) {
    ByteBuffer b = ByteBuffer.allocate(2 + message.length);
    b.putShort((short) version).put(message).flip();
    return b;
  }

  static Stream<Arguments> malformed() {
    ByteBuffer goodValue = valueOf(0, OFFSET.toByteArray());
    return Stream.of(
        Arguments.of("empty key", bytes(), null, "ends before"),
        Arguments.of("key version only", bytes(0, 1), null, "ends before"),
        Arguments.of("unknown key version", bytes(0, 9, 0, 1, 'g'), null, "unknown key version 9"),
        Arguments.of("key version 0", bytes(0, 0, 0, 1, 'g'), null, "unknown key version 0"),
        Arguments.of("string longer than key", bytes(0, 2, 0, 9, 'g'), null, "longer than"),
        Arguments.of("negative string length", bytes(0, 2, 0xff, 0xff), null, "negative length"),
        Arguments.of("trailing bytes", bytes(0, 2, 0, 1, 'g', 7), null, "trailing"),
        Arguments.of(
            "partition cut off", bytes(0, 1, 0, 1, 'g', 0, 1, 't', 0, 0), null, "ends before"),
        Arguments.of("invalid UTF-8", bytes(0, 2, 0, 2, 0xc3, 0x28), null, "UTF-8"),
        Arguments.of("value without version", bytes(0, 2, 0, 1, 'g'), bytes(0), "no version"),
        Arguments.of(
            "unknown value version",
            bytes(0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 0),
            valueOf(5, OFFSET.toByteArray()),
            "unknown value version 5"),
        Arguments.of(
            "unparsable protobuf",
            bytes(0, 2, 0, 1, 'g'),
            valueOf(0, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}),
            "not parsable"),
        Arguments.of("null key", null, goodValue, "without a key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesMalformedBytes(String what, ByteBuffer key, ByteBuffer value, String expected) {
    MalformedGroupRecordException e =
        assertThrows(
            MalformedGroupRecordException.class, () -> GroupRecordCodec.decode(key, value));
    assertTrue(
        e.getMessage().contains(expected),
        what + ": expected a message containing \"" + expected + "\", got: " + e.getMessage());
  }

  @Test
  void decodingDoesNotMoveTheCallersBuffers() {
    GroupRecord r = new GroupRecord.GroupMetadata("g", GROUP);
    ByteBuffer key = ByteBuffer.wrap(GroupRecordCodec.key(r));
    ByteBuffer value = ByteBuffer.wrap(GroupRecordCodec.value(r));
    GroupRecordCodec.decode(key, value);
    assertEquals(0, key.position());
    assertEquals(0, value.position());
  }

  @Test
  void refusesGroupIdsLongerThanAKafkaString() {
    String longId = "x".repeat(Short.MAX_VALUE + 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> GroupRecordCodec.key(new GroupRecord.GroupMetadata(longId, null)));
  }

  @Test
  void describesRecordsForTheDumpTool() {
    assertEquals(
        "key: {\"type\":\"offset_commit\",\"group\":\"g\",\"topic\":\"orders\",\"partition\":5}"
            + " payload: {\"offset\":42,\"leaderEpoch\":3,\"metadata\":\"meta \\\"quoted\\\"\","
            + "\"commitTimestamp\":1700000000000,\"expireTimestamp\":-1}",
        GroupRecordCodec.describe(
            new GroupRecord.OffsetCommit("g", new TopicPartition("orders", 5), OFFSET)));
    assertEquals(
        "key: {\"type\":\"group_metadata\",\"group\":\"g\"} payload: <DELETE>",
        GroupRecordCodec.describe(new GroupRecord.GroupMetadata("g", null)));
    String group = GroupRecordCodec.describe(new GroupRecord.GroupMetadata("g", GROUP));
    for (String part :
        List.of(
            "\"protocolType\":\"consumer\"",
            "\"generation\":7",
            "\"leader\":\"c-1\"",
            "\"memberId\":\"c-1\"",
            "\"groupInstanceId\":\"i-1\"",
            "\"clientHost\":\"/127.0.0.1\"")) {
      assertTrue(group.contains(part), "expected " + part + " in " + group);
    }
  }
}
