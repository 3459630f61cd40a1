package io.brook.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopicResponse;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AliasingMarshallerTest {
  /** What gRPC's transports hand a marshaller: a stream that knows its length. */
  static final class Known extends ByteArrayInputStream implements KnownLength {
    Known(byte[] b) {
      super(b);
    }
  }

  /** The same stream, but claiming {@code claimed} bytes. */
  static final class Lying extends ByteArrayInputStream implements KnownLength {
    private final int claimed;

    Lying(byte[] b, int claimed) {
      super(b);
      this.claimed = claimed;
    }

    @Override
    public synchronized int available() {
      return claimed;
    }
  }

  static FetchResponse response(int recordBytes) {
    byte[] records = new byte[recordBytes];
    new Random(42).nextBytes(records);
    return FetchResponse.newBuilder()
        .setRequestId(9)
        .addTopics(
            FetchTopicResponse.newBuilder()
                .setTopic("orders")
                .addPartitions(
                    FetchPartitionResponse.newBuilder()
                        .setPartition(3)
                        .setHighWatermark(1234)
                        .setRecords(ByteString.copyFrom(records))))
        .build();
  }

  final AliasingMarshaller<FetchResponse> marshaller =
      AliasingMarshaller.of(FetchResponse.getDefaultInstance());

  @Test
  void parsesWhatGrpcSerializesSmallAndOverFourMebibytes() throws Exception {
    for (int size : new int[] {0, 1, 1000, 5 << 20}) {
      FetchResponse r = response(size);
      byte[] wire = marshaller.stream(r).readAllBytes();
      assertEquals(r, marshaller.parse(new Known(wire)), "records of " + size + " bytes");
    }
  }

  @Test
  void theParsedRecordsDoNotChangeWhenTheTransportBufferIsReused() throws Exception {
    FetchResponse r = response(64 << 10);
    byte[] wire = marshaller.stream(r).readAllBytes();
    FetchResponse parsed = marshaller.parse(new Known(wire));
    Arrays.fill(wire, (byte) 0); // the transport's bytes are not aliased, only the parser's own
    assertEquals(r, parsed);
  }

  @Test
  void theParsedRecordsShareTheMarshallersOwnArrayInsteadOfACopy() throws Exception {
    List<byte[]> arrays = new ArrayList<>();
    AliasingMarshaller<FetchResponse> m =
        new AliasingMarshaller<>(
            FetchResponse.getDefaultInstance(),
            n -> {
              byte[] a = new byte[n];
              arrays.add(a);
              return a;
            });
    FetchResponse r = response(64 << 10);
    FetchResponse parsed = m.parse(new Known(m.stream(r).readAllBytes()));
    assertEquals(r, parsed);
    assertEquals(1, arrays.size(), "one array per message");
    // a change to the marshaller's array shows in the parsed records: they are that array
    byte[] own = arrays.get(0);
    for (int i = 0; i < own.length; i++) {
      own[i] = (byte) ~own[i];
    }
    ByteString records = parsed.getTopics(0).getPartitions(0).getRecords();
    assertNotEquals(r.getTopics(0).getPartitions(0).getRecords(), records);
    assertEquals((byte) ~r.getTopics(0).getPartitions(0).getRecords().byteAt(0), records.byteAt(0));
  }

  @Test
  void corruptOrTruncatedBytesAreAnInternalError() throws Exception {
    byte[] wire = marshaller.stream(response(1000)).readAllBytes();
    byte[] truncated = Arrays.copyOf(wire, wire.length - 10);
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> marshaller.parse(new Known(truncated)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());

    StatusRuntimeException lying =
        assertThrows(
            StatusRuntimeException.class, () -> marshaller.parse(new Lying(wire, wire.length + 5)));
    assertEquals(Status.Code.INTERNAL, lying.getStatus().getCode());
    assertEquals(
        Status.Code.INTERNAL,
        assertThrows(
                StatusRuntimeException.class,
                () -> marshaller.parse(new Lying(wire, wire.length - 5)))
            .getStatus()
            .getCode());
  }

  @Test
  void inProcessMessagesComeBackAsTheyAre() {
    FetchResponse r = response(100);
    assertSame(r, marshaller.parse(marshaller.stream(r)));
  }

  @Test
  void onlyTheNamedServerMethodsGetTheMarshaller() {
    ServerServiceDefinition plain =
        BrokerServiceGrpc.bindService(new BrokerServiceGrpc.AsyncService() {});
    String produce = BrokerServiceGrpc.getProduceMethod().getFullMethodName();
    ServerServiceDefinition aliased = AliasingMarshaller.aliasingRequests(plain, Set.of(produce));
    assertEquals(plain.getMethods().size(), aliased.getMethods().size());
    for (ServerMethodDefinition<?, ?> m : aliased.getMethods()) {
      MethodDescriptor<?, ?> md = m.getMethodDescriptor();
      if (md.getFullMethodName().equals(produce)) {
        assertInstanceOf(AliasingMarshaller.class, md.getRequestMarshaller());
      } else {
        assertNotEquals(AliasingMarshaller.class, md.getRequestMarshaller().getClass());
      }
      assertSame(
          plain.getMethod(md.getFullMethodName()).getServerCallHandler(), m.getServerCallHandler());
    }
  }

  @Test
  void clientMethodsGetItForTheirResponses() {
    MethodDescriptor<?, FetchResponse> md =
        AliasingMarshaller.aliasingResponses(
            BrokerServiceGrpc.getFetchStreamMethod(), FetchResponse.getDefaultInstance());
    assertInstanceOf(AliasingMarshaller.class, md.getResponseMarshaller());
    assertEquals(
        BrokerServiceGrpc.getFetchStreamMethod().getFullMethodName(), md.getFullMethodName());
  }
}
