package io.brook.protocol.record;

/**
 * A record batch is not what its header claims: CRC-32C mismatch, a length that runs past the end
 * of the buffer, an unknown magic or codec, or records that do not parse.
 */
public class CorruptRecordException extends RuntimeException {
  public CorruptRecordException(String message) {
    super(message);
  }

  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
