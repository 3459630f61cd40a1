package io.brook.client.common.config;

import static io.brook.client.common.config.ConfigDef.NO_DEFAULT_VALUE;

import io.brook.client.common.config.ConfigDef.Type;

/** The configuration keys every client (producer, consumer, admin) has, as Kafka's. Stateless. */
public final class CommonClientConfigs {
  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String CLIENT_ID_CONFIG = "client.id";

  private CommonClientConfigs() {}

  /** A new definition holding the keys every client has; each client adds its own. */
  public static ConfigDef newConfigDef() {
    return new ConfigDef()
        .define(
            BOOTSTRAP_SERVERS_CONFIG,
            Type.LIST,
            NO_DEFAULT_VALUE,
            ConfigDef.nonEmptyList(),
            "host:port pairs used to find the cluster")
        .define(CLIENT_ID_CONFIG, Type.STRING, "", "a name for this client in broker logs");
  }
}
