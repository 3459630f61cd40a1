package io.brook.client.producer;

/**
 * Called once when a record's delivery completes, successfully or not. Runs on the producer's I/O
 * thread: it should be quick, and it must not block on other sends.
 */
@FunctionalInterface
public interface Callback {
  /**
   * @param metadata the record's partition and offset (on failure: partition known, offset -1)
   * @param exception null on success; otherwise why the record was not delivered
   */
  void onCompletion(RecordMetadata metadata, Exception exception);
}
