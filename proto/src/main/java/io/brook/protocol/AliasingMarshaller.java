package io.brook.protocol;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A protobuf marshaller whose parsed {@code bytes} fields share the message's buffer instead of
 * copying it, for the messages that carry record batches (a produce request, a fetch response).
 *
 * <p>gRPC's own marshaller reads a message into a byte array and parses it with a {@link
 * CodedInputStream} that copies every {@code bytes} field again; messages over 4 MiB are parsed
 * from the stream, which copies large fields twice. This one reads the message once into an array
 * of its own and parses it with aliasing on, so the records are copied once from the transport and
 * never again. The array is the message's own (never reused), so the aliases stay valid as long as
 * the message is referenced. Serializing is gRPC's.
 *
 * <p>Protobuf aliases only an input it knows to be immutable: a {@link CodedInputStream} made from
 * a plain array ({@code CodedInputStream.newInstance(byte[])}) copies every {@code bytes} field
 * even with aliasing enabled, so the array is wrapped as a {@link com.google.protobuf.ByteString}
 * first ({@link UnsafeByteOperations#unsafeWrap}), whose input stream is marked immutable.
 */
public final class AliasingMarshaller<T extends Message>
    implements MethodDescriptor.PrototypeMarshaller<T> {
  private final T prototype;
  private final Parser<T> parser;
  private final MethodDescriptor.PrototypeMarshaller<T> grpc;
  private final IntFunction<byte[]> allocate;

  @SuppressWarnings("unchecked")
  AliasingMarshaller(T prototype, IntFunction<byte[]> allocate) {
    this.prototype = prototype;
    this.allocate = allocate;
    this.parser = (Parser<T>) prototype.getParserForType();
    this.grpc = (MethodDescriptor.PrototypeMarshaller<T>) ProtoUtils.marshaller(prototype);
  }

  public static <T extends Message> AliasingMarshaller<T> of(T defaultInstance) {
    return new AliasingMarshaller<>(defaultInstance, byte[]::new);
  }

  @Override
  public Class<T> getMessageClass() {
    return grpc.getMessageClass();
  }

  @Override
  public T getMessagePrototype() {
    return prototype;
  }

  @Override
  public InputStream stream(T value) {
    return grpc.stream(value);
  }

  @Override
  public T parse(InputStream stream) {
    if (!(stream instanceof KnownLength) || IN_PROCESS.equals(stream.getClass().getName())) {
      return grpc.parse(stream); // in-process: the message itself, no bytes at all
    }
    try {
      byte[] buf = allocate.apply(stream.available());
      int read = stream.readNBytes(buf, 0, buf.length);
      if (read != buf.length || stream.read() != -1) {
        throw new IOException("message size inaccurate: read " + read + " of " + buf.length);
      }
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(buf).newCodedInput();
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      T message = parser.parseFrom(in);
      in.checkLastTagWas(0);
      return message;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL
          .withDescription("Invalid protobuf byte sequence")
          .withCause(e)
          .asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("Could not read the message: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }

  /** The stream gRPC's protobuf marshaller hands over in-process, with the message inside. */
  private static final String IN_PROCESS = "io.grpc.protobuf.lite.ProtoInputStream";

  /** {@code method} with its responses parsed by an {@link AliasingMarshaller} (client side). */
  public static <ReqT, RespT extends Message> MethodDescriptor<ReqT, RespT> aliasingResponses(
      MethodDescriptor<ReqT, RespT> method, RespT defaultInstance) {
    return method.toBuilder().setResponseMarshaller(of(defaultInstance)).build();
  }

  /**
   * {@code service} with the requests of {@code methods} (full method names) parsed by an {@link
   * AliasingMarshaller} (server side); every other method as it was.
   */
  public static ServerServiceDefinition aliasingRequests(
      ServerServiceDefinition service, Set<String> methods) {
    ServiceDescriptor old = service.getServiceDescriptor();
    ServiceDescriptor.Builder sd =
        ServiceDescriptor.newBuilder(old.getName()).setSchemaDescriptor(old.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> defs = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> d =
          methods.contains(m.getMethodDescriptor().getFullMethodName()) ? aliasing(m) : m;
      sd.addMethod(d.getMethodDescriptor());
      defs.add(d);
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(sd.build());
    defs.forEach(b::addMethod);
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> aliasing(
      ServerMethodDefinition<ReqT, RespT> m) {
    MethodDescriptor<ReqT, RespT> md = m.getMethodDescriptor();
    Message prototype =
        (Message)
            ((MethodDescriptor.PrototypeMarshaller<ReqT>) md.getRequestMarshaller())
                .getMessagePrototype();
    MethodDescriptor.Marshaller<ReqT> aliasing =
        (MethodDescriptor.Marshaller<ReqT>) (MethodDescriptor.Marshaller<?>) of(prototype);
    return ServerMethodDefinition.create(
        md.toBuilder().setRequestMarshaller(aliasing).build(), m.getServerCallHandler());
  }
}
