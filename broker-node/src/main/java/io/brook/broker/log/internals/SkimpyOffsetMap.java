package io.brook.broker.log.internals;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * An {@link OffsetMap} in fixed memory, as Kafka's SkimpyOffsetMap: each key is reduced to its
 * 16-byte MD5 digest and stored with its offset in an open-addressing table (linear probing). The
 * table holds at most {@code loadFactor} of its slots (and always one free) so that probes stay
 * short and end.
 *
 * <p>Memory: 24 bytes per slot (digest + offset); {@code memory / 24} slots. Keys whose digests
 * collide share an entry (Kafka accepts the same 2^-128-scale risk).
 *
 * <p>Not thread-safe: owned by one cleaner thread.
 */
public final class SkimpyOffsetMap implements OffsetMap {
  public static final int BYTES_PER_ENTRY = 16 + 8;
  private static final int DIGEST_SIZE = 16;

  private final byte[] digests;
  private final long[] offsets;
  private final boolean[] used;
  private final int capacity;
  private final int maxEntries;
  private final MessageDigest md5;
  private final byte[] hash = new byte[DIGEST_SIZE];
  private int entries;
  private long latestOffset = -1L;

  /**
   * @param memory bytes the table may use (at least one slot)
   * @param loadFactor the share of slots that may be filled, in (0, 1]
   */
  public SkimpyOffsetMap(long memory, double loadFactor) {
    if (!(loadFactor > 0 && loadFactor <= 1)) {
      throw new IllegalArgumentException("load factor " + loadFactor + " must be in (0, 1]");
    }
    long slots = Math.max(2L, Math.min(memory / BYTES_PER_ENTRY, Integer.MAX_VALUE / DIGEST_SIZE));
    this.capacity = (int) slots;
    this.maxEntries = Math.max(1, Math.min((int) (slots * loadFactor), capacity - 1));
    this.digests = new byte[capacity * DIGEST_SIZE];
    this.offsets = new long[capacity];
    this.used = new boolean[capacity];
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }

  @Override
  public int slots() {
    return maxEntries;
  }

  @Override
  public void put(ByteBuffer key, long offset) {
    digest(key);
    int slot = find();
    if (!used[slot]) {
      if (entries >= maxEntries) {
        throw new IllegalStateException(
            "the offset map is full (" + entries + " keys); raise log.cleaner.dedupe.buffer.size");
      }
      used[slot] = true;
      System.arraycopy(hash, 0, digests, slot * DIGEST_SIZE, DIGEST_SIZE);
      entries++;
    }
    offsets[slot] = offset;
    latestOffset = Math.max(latestOffset, offset);
  }

  @Override
  public long get(ByteBuffer key) {
    digest(key);
    int slot = find();
    return used[slot] ? offsets[slot] : -1L;
  }

  @Override
  public void clear() {
    Arrays.fill(used, false);
    entries = 0;
    latestOffset = -1L;
  }

  @Override
  public int size() {
    return entries;
  }

  @Override
  public long latestOffset() {
    return latestOffset;
  }

  private void digest(ByteBuffer key) {
    md5.reset();
    md5.update(key.duplicate());
    try {
      md5.digest(hash, 0, DIGEST_SIZE);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The slot holding {@link #hash}, or the empty slot where it would go. */
  private int find() {
    int h =
        ((hash[0] & 0xff) << 24)
            | ((hash[1] & 0xff) << 16)
            | ((hash[2] & 0xff) << 8)
            | (hash[3] & 0xff);
    int slot = (h & 0x7fffffff) % capacity;
    while (used[slot] && !sameDigest(slot)) {
      slot = slot + 1 == capacity ? 0 : slot + 1;
    }
    return slot;
  }

  private boolean sameDigest(int slot) {
    int base = slot * DIGEST_SIZE;
    for (int i = 0; i < DIGEST_SIZE; i++) {
      if (digests[base + i] != hash[i]) {
        return false;
      }
    }
    return true;
  }
}
