package io.brook.client.common.header;

import io.brook.common.Header;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The headers of a record, in order; keys may repeat. Mutable until the record is sent: the
 * producer calls {@link #setReadOnly()} and later changes throw {@link IllegalStateException}. Not
 * thread-safe.
 */
public final class Headers implements Iterable<Header> {
  private static final Header[] NONE = new Header[0];

  private final List<Header> headers;
  private boolean readOnly;

  public Headers() {
    this.headers = new ArrayList<>(2);
  }

  public Headers(Header[] headers) {
    this.headers = headers == null ? new ArrayList<>(2) : new ArrayList<>(Arrays.asList(headers));
  }

  public Headers(Iterable<Header> headers) {
    this.headers = new ArrayList<>();
    if (headers != null) {
      headers.forEach(this.headers::add);
    }
  }

  public Headers add(Header header) {
    checkWritable();
    headers.add(header);
    return this;
  }

  public Headers add(String key, byte[] value) {
    return add(new Header(key, value));
  }

  /** Removes every header with this key. */
  public Headers remove(String key) {
    checkWritable();
    headers.removeIf(h -> h.key().equals(key));
    return this;
  }

  /** The last header with this key, or null. */
  public Header lastHeader(String key) {
    for (int i = headers.size() - 1; i >= 0; i--) {
      if (headers.get(i).key().equals(key)) {
        return headers.get(i);
      }
    }
    return null;
  }

  public Iterable<Header> headers(String key) {
    List<Header> out = new ArrayList<>();
    for (Header h : headers) {
      if (h.key().equals(key)) {
        out.add(h);
      }
    }
    return out;
  }

  public Header[] toArray() {
    return headers.isEmpty() ? NONE : headers.toArray(NONE);
  }

  public int size() {
    return headers.size();
  }

  public boolean isEmpty() {
    return headers.isEmpty();
  }

  public void setReadOnly() {
    readOnly = true;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new IllegalStateException("RecordHeaders has been closed.");
    }
  }

  @Override
  public Iterator<Header> iterator() {
    return readOnly ? List.copyOf(headers).iterator() : headers.iterator();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && headers.equals(h.headers);
  }

  @Override
  public int hashCode() {
    return headers.hashCode();
  }

  @Override
  public String toString() {
    return "RecordHeaders(headers = " + headers + ", isReadOnly = " + readOnly + ")";
  }
}
