package io.brook.broker.log;

/**
 * The answer of a lookup by timestamp: an offset and the timestamp found there. Immutable.
 *
 * @param timestamp the max timestamp of the batch found
 * @param offset the base offset of that batch
 * @param leaderEpoch the partition leader epoch stamped on that batch (-1 if none)
 */
public record TimestampAndOffset(long timestamp, long offset, int leaderEpoch) {}
