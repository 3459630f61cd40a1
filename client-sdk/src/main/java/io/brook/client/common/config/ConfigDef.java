package io.brook.client.common.config;

import io.brook.client.common.errors.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The definition of a client's configuration, as Kafka's ConfigDef: every supported key with its
 * type, default and validator. {@link #parse} turns user-given properties into typed values,
 * refusing bad values with Kafka's message ({@code Invalid value X for configuration linger.ms:
 * ...}) and warning about (and ignoring) unknown keys. Immutable once built; thread-safe to parse
 * with.
 */
public final class ConfigDef {
  private static final Logger LOG = LogManager.getLogger(ConfigDef.class);

  /** Marker default: the key must be given. */
  public static final Object NO_DEFAULT_VALUE = new Object();

  /** The types a value may have. */
  public enum Type {
    BOOLEAN,
    STRING,
    INT,
    SHORT,
    LONG,
    DOUBLE,
    LIST,
    CLASS,
    PASSWORD
  }

  /** Checks a parsed value. */
  @FunctionalInterface
  public interface Validator {
    /**
     * @throws ConfigException when {@code value} is not allowed
     */
    void ensureValid(String name, Object value);
  }

  /** One key. */
  public record Key(String name, Type type, Object defaultValue, Validator validator, String doc) {
    public boolean hasDefault() {
      return defaultValue != NO_DEFAULT_VALUE;
    }
  }

  private final Map<String, Key> keys = new LinkedHashMap<>();

  public ConfigDef define(String name, Type type, Object defaultValue, Validator v, String doc) {
    if (keys.containsKey(name)) {
      throw new IllegalArgumentException("Configuration " + name + " is defined twice.");
    }
    Object parsedDefault =
        defaultValue == NO_DEFAULT_VALUE || defaultValue == null
            ? defaultValue
            : parseType(name, defaultValue, type);
    keys.put(name, new Key(name, type, parsedDefault, v, doc));
    return this;
  }

  public ConfigDef define(String name, Type type, Object defaultValue, String doc) {
    return define(name, type, defaultValue, null, doc);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(keys.keySet());
  }

  public Map<String, Key> configKeys() {
    return Collections.unmodifiableMap(keys);
  }

  /**
   * Parses every defined key from {@code props} (defaults where absent), validating each.
   *
   * @throws ConfigException for a missing required key or a bad value
   */
  public Map<String, Object> parse(Map<?, ?> props) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Key key : keys.values()) {
      Object raw = props.get(key.name);
      Object value;
      if (raw != null) {
        value = parseType(key.name, raw, key.type);
      } else if (key.hasDefault()) {
        value = key.defaultValue;
      } else {
        throw new ConfigException(
            "Missing required configuration \"" + key.name + "\" which has no default value.");
      }
      if (key.validator != null) {
        key.validator.ensureValid(key.name, value);
      }
      values.put(key.name, value);
    }
    return values;
  }

  /** Logs a warning for every key of {@code props} that this definition does not know. */
  public void warnUnknown(Map<?, ?> props, String clientKind) {
    for (Object k : props.keySet()) {
      if (!keys.containsKey(String.valueOf(k))) {
        LOG.warn(
            "These configurations '[{}]' were supplied but are not used yet by the {}.",
            k,
            clientKind);
      }
    }
  }

  /** Converts {@code value} (a String or already typed) to {@code type}. */
  public static Object parseType(String name, Object value, Type type) {
    try {
      if (value == null) {
        return null;
      }
      String trimmed = value instanceof String s ? s.trim() : null;
      switch (type) {
        case BOOLEAN:
          if (value instanceof Boolean) {
            return value;
          }
          if (trimmed != null && trimmed.equalsIgnoreCase("true")) {
            return true;
          }
          if (trimmed != null && trimmed.equalsIgnoreCase("false")) {
            return false;
          }
          throw invalid(name, value, "Expected value to be either true or false");
        case STRING:
          if (value instanceof String) {
            return trimmed;
          }
          throw invalid(name, value, "Expected value to be a string, but it was a " + cls(value));
        case PASSWORD:
          return String.valueOf(value);
        case INT:
          if (value instanceof Integer) {
            return value;
          }
          if (trimmed != null) {
            return Integer.parseInt(trimmed);
          }
          throw invalid(
              name, value, "Expected value to be a 32-bit integer, but it was a " + cls(value));
        case SHORT:
          if (value instanceof Short) {
            return value;
          }
          if (trimmed != null) {
            return Short.parseShort(trimmed);
          }
          throw invalid(
              name, value, "Expected value to be a 16-bit integer, but it was a " + cls(value));
        case LONG:
          if (value instanceof Integer i) {
            return i.longValue();
          }
          if (value instanceof Long) {
            return value;
          }
          if (trimmed != null) {
            return Long.parseLong(trimmed);
          }
          throw invalid(
              name, value, "Expected value to be a 64-bit integer, but it was a " + cls(value));
        case DOUBLE:
          if (value instanceof Number n) {
            return n.doubleValue();
          }
          if (trimmed != null) {
            return Double.parseDouble(trimmed);
          }
          throw invalid(name, value, "Expected value to be a double, but it was a " + cls(value));
        case LIST:
          if (value instanceof List<?> l) {
            return List.copyOf(l);
          }
          if (trimmed != null) {
            if (trimmed.isEmpty()) {
              return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String s : Arrays.asList(trimmed.split("\\s*,\\s*", -1))) {
              out.add(s.trim());
            }
            return out;
          }
          throw invalid(name, value, "Expected a comma separated list.");
        case CLASS:
          if (value instanceof Class<?>) {
            return value;
          }
          if (trimmed != null) {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            if (cl == null) {
              cl = ConfigDef.class.getClassLoader();
            }
            return Class.forName(trimmed, true, cl);
          }
          throw invalid(name, value, "Expected a Class instance or class name.");
        default:
          throw new IllegalStateException("Unknown type " + type);
      }
    } catch (NumberFormatException e) {
      throw invalid(name, value, "Not a number of type " + type);
    } catch (ClassNotFoundException e) {
      throw invalid(name, value, "Class " + value + " could not be found.");
    }
  }

  private static String cls(Object v) {
    return v.getClass().getName();
  }

  static ConfigException invalid(String name, Object value, String why) {
    return new ConfigException(
        "Invalid value " + value + " for configuration " + name + ": " + why);
  }

  // ------------------------------------------------------------------ validators

  /** A numeric range, as Kafka's {@code ConfigDef.Range}. */
  public static Validator atLeast(Number min) {
    return (name, value) -> {
      if (value == null) {
        throw invalid(name, null, "Value must be non-null");
      }
      if (((Number) value).doubleValue() < min.doubleValue()) {
        throw invalid(name, value, "Value must be at least " + min);
      }
    };
  }

  public static Validator between(Number min, Number max) {
    return (name, value) -> {
      if (value == null) {
        throw invalid(name, null, "Value must be non-null");
      }
      double d = ((Number) value).doubleValue();
      if (d < min.doubleValue()) {
        throw invalid(name, value, "Value must be at least " + min);
      }
      if (d > max.doubleValue()) {
        throw invalid(name, value, "Value must be no more than " + max);
      }
    };
  }

  /** One of the given strings (case-sensitive), as Kafka's {@code ValidString.in}. */
  public static Validator in(String... allowed) {
    List<String> list = List.of(allowed);
    return (name, value) -> {
      if (!list.contains(String.valueOf(value))) {
        throw invalid(name, value, "String must be one of: " + String.join(", ", list));
      }
    };
  }

  /** One of the given strings ignoring case, as Kafka's {@code CaseInsensitiveValidString}. */
  public static Validator inIgnoreCase(String... allowed) {
    List<String> list = List.of(allowed);
    return (name, value) -> {
      String v = String.valueOf(value).toLowerCase(Locale.ROOT);
      for (String a : list) {
        if (a.toLowerCase(Locale.ROOT).equals(v)) {
          return;
        }
      }
      throw invalid(
          name, value, "String must be one of (case insensitive): " + String.join(", ", list));
    };
  }

  /** A non-empty list with no empty element. */
  public static Validator nonEmptyList() {
    return (name, value) -> {
      List<?> l = (List<?>) value;
      if (l == null || l.isEmpty()) {
        throw invalid(name, value, "Empty list");
      }
      for (Object o : l) {
        if (o == null || o.toString().isEmpty()) {
          throw invalid(name, value, "Empty list element");
        }
      }
    };
  }
}
