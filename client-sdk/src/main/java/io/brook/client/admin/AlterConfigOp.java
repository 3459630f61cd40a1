package io.brook.client.admin;

import java.util.Objects;

/**
 * One change to a config of a resource (Kafka's {@code AlterConfigOp}): set a value, delete the
 * override (the next level's value applies again), or append / subtract items of a list-valued
 * config. Immutable.
 */
public record AlterConfigOp(ConfigEntry configEntry, OpType opType) {
  /** What the change does. */
  public enum OpType {
    SET,
    DELETE,
    APPEND,
    SUBTRACT
  }

  public AlterConfigOp {
    Objects.requireNonNull(configEntry, "configEntry");
    Objects.requireNonNull(opType, "opType");
  }
}
