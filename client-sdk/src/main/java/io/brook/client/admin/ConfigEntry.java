package io.brook.client.admin;

/** One config of a resource: name, value and where the value comes from. Immutable. */
public record ConfigEntry(
    String name, String value, ConfigSource source, boolean isSensitive, boolean isReadOnly) {

  /** Where a config value comes from, as Kafka's {@code ConfigEntry.ConfigSource}. */
  public enum ConfigSource {
    DYNAMIC_TOPIC_CONFIG,
    DYNAMIC_BROKER_CONFIG,
    DYNAMIC_DEFAULT_BROKER_CONFIG,
    STATIC_BROKER_CONFIG,
    DEFAULT_CONFIG,
    UNKNOWN
  }

  /** A name and value only (for {@link AlterConfigOp}). */
  public ConfigEntry(String name, String value) {
    this(name, value, ConfigSource.UNKNOWN, false, false);
  }

  /** True when the value is the built-in default. */
  public boolean isDefault() {
    return source == ConfigSource.DEFAULT_CONFIG;
  }
}
