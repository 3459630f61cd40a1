package io.brook.broker.log;

/**
 * An offset and the leader epoch it belongs to (the answer of {@link Log#endOffsetForEpoch}); -1
 * and -1 when the epoch is unknown. Immutable.
 */
public record OffsetAndEpoch(long offset, int epoch) {}
