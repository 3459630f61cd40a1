package io.brook.client.common.config;

import io.brook.client.common.errors.ConfigException;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a parsed configuration. Immutable; thread-safe. Subclasses define the keys in a
 * static {@link ConfigDef}.
 */
public abstract class AbstractConfig {
  private final Map<String, Object> originals;
  private final Map<String, Object> values;

  protected AbstractConfig(ConfigDef def, Map<?, ?> props, String clientKind) {
    Map<String, Object> o = new HashMap<>();
    for (Map.Entry<?, ?> e : props.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        throw new ConfigException("Key must be a string instead of " + e.getKey());
      }
      o.put((String) e.getKey(), e.getValue());
    }
    this.originals = Collections.unmodifiableMap(o);
    this.values = Collections.unmodifiableMap(def.parse(o));
    def.warnUnknown(o, clientKind);
  }

  /** Every property as given, including unknown ones (passed to serializers and partitioners). */
  public Map<String, Object> originals() {
    return originals;
  }

  public Map<String, Object> values() {
    return values;
  }

  public Object get(String key) {
    if (!values.containsKey(key)) {
      throw new ConfigException("Unknown configuration '" + key + "'");
    }
    return values.get(key);
  }

  public int getInt(String key) {
    return (Integer) get(key);
  }

  public short getShort(String key) {
    return (Short) get(key);
  }

  public long getLong(String key) {
    return (Long) get(key);
  }

  public double getDouble(String key) {
    return (Double) get(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) get(key);
  }

  public String getString(String key) {
    return (String) get(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> getList(String key) {
    return (List<String>) get(key);
  }

  public Class<?> getClass(String key) {
    return (Class<?>) get(key);
  }

  /** A new instance of the class configured under {@code key} (null when unset). */
  public <T> T getConfiguredInstance(String key, Class<T> type) {
    Class<?> c = getClass(key);
    if (c == null) {
      return null;
    }
    return newInstance(key, c, type);
  }

  public static <T> T newInstance(String key, Class<?> c, Class<T> type) {
    if (!type.isAssignableFrom(c)) {
      throw new ConfigException(c.getName() + " is not an instance of " + type.getName());
    }
    try {
      return type.cast(c.getDeclaredConstructor().newInstance());
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw new ConfigException(
          "Could not instantiate class " + c.getName() + " for configuration " + key + ": " + e);
    }
  }
}
