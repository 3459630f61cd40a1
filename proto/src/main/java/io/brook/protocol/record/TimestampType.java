package io.brook.protocol.record;

/** Which clock a batch's timestamps come from ({@code message.timestamp.type}). */
public enum TimestampType {
  /** Set by the producer. */
  CREATE_TIME("CreateTime"),
  /** Set by the broker when it appends the batch. */
  LOG_APPEND_TIME("LogAppendTime");

  public final String configName;

  TimestampType(String configName) {
    this.configName = configName;
  }

  public static TimestampType forConfigName(String name) {
    for (TimestampType t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown timestamp type \"" + name + "\"; expected CreateTime or LogAppendTime");
  }
}
