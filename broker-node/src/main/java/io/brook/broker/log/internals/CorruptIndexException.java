package io.brook.broker.log.internals;

import java.io.IOException;

/** An index file fails its sanity check; the loader deletes and rebuilds it. */
public class CorruptIndexException extends IOException {
  public CorruptIndexException(String message) {
    super(message);
  }
}
