package io.brook.broker.log;

/**
 * The log's files could not be read or written (I/O error, disk full). The log is offline after an
 * append or flush fails this way: later appends fail fast; nothing acknowledged before is lost.
 */
public class LogStorageException extends RuntimeException {
  public LogStorageException(String message) {
    super(message);
  }

  public LogStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
