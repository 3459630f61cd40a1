package io.brook.metadata.config;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The definition of one topic-level config: its topic-level name, type, default, validator, and the
 * broker-level keys that supply the cluster default (first match wins, each with a conversion to
 * the topic-level unit, e.g. {@code log.retention.hours} -> milliseconds). Immutable.
 */
public record TopicConfig(
    String name,
    ConfigType type,
    String defaultValue,
    Validator validator,
    List<BrokerKey> brokerKeys,
    String doc) {

  public TopicConfig {
    Objects.requireNonNull(name);
    Objects.requireNonNull(type);
    Objects.requireNonNull(defaultValue);
    brokerKeys = List.copyOf(brokerKeys);
  }

  /** Checks a normalized value; throws IllegalArgumentException with the reason. */
  @FunctionalInterface
  public interface Validator {
    void check(String normalizedValue);

    Validator NONE = v -> {};
  }

  /**
   * A broker-level key and how its (normalized, of the key's type) value maps to the topic level.
   */
  public record BrokerKey(String key, ConfigType type, UnaryOperator<String> toTopicValue) {
    public static BrokerKey same(String key, ConfigType type) {
      return new BrokerKey(key, type, UnaryOperator.identity());
    }

    public static BrokerKey scaled(String key, long factor) {
      return new BrokerKey(
          key, ConfigType.LONG, v -> Long.toString(Math.multiplyExact(Long.parseLong(v), factor)));
    }
  }

  /**
   * Normalizes and validates {@code value}.
   *
   * @return the canonical value
   * @throws IllegalArgumentException with the message {@code Invalid value V for configuration N:
   *     reason}
   */
  public String parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException(
          "Invalid value null for configuration " + name + ": Value must not be null");
    }
    try {
      String normalized = type.normalize(value);
      validator.check(normalized);
      return normalized;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for configuration " + name + ": " + e.getMessage());
    }
  }
}
