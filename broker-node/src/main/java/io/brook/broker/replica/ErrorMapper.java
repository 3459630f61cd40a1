package io.brook.broker.replica;

import io.brook.broker.log.InvalidProducerEpochException;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogStorageException;
import io.brook.broker.log.OffsetOutOfRangeException;
import io.brook.broker.log.OutOfOrderSequenceException;
import io.brook.broker.log.RecordTooLargeException;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.v1.ErrorCode;
import java.util.concurrent.CompletionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The one mapping from exceptions of the broker's core to protocol error codes. Stateless. */
public final class ErrorMapper {
  private static final Logger log = LogManager.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  /**
   * The error code for {@code t}; unexpected exceptions are logged and become UNKNOWN_SERVER_ERROR.
   */
  public static ErrorCode code(Throwable t) {
    t = unwrap(t);
    if (t instanceof ApiException e) {
      return e.code();
    }
    if (t instanceof RecordTooLargeException) {
      return ErrorCode.RECORD_TOO_LARGE;
    }
    if (t instanceof Log.InvalidRecordException) {
      return ErrorCode.INVALID_RECORD;
    }
    if (t instanceof CorruptRecordException) {
      return ErrorCode.CORRUPT_MESSAGE;
    }
    if (t instanceof OffsetOutOfRangeException) {
      return ErrorCode.OFFSET_OUT_OF_RANGE;
    }
    if (t instanceof OutOfOrderSequenceException) {
      return ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
    }
    if (t instanceof InvalidProducerEpochException) {
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    }
    if (t instanceof LogStorageException) {
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
    log.error("Unexpected error while handling a request", t);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }

  /** A message for the response: the exception's own, or its class name when it has none. */
  public static String message(Throwable t) {
    t = unwrap(t);
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  public static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
