package io.brook.client.admin;

import static io.brook.client.common.config.ConfigDef.atLeast;

import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.config.CommonClientConfigs;
import io.brook.client.common.config.ConfigDef;
import io.brook.client.common.config.ConfigDef.Type;
import java.util.Map;

/** The admin client's configuration: Kafka's names and defaults. Immutable. */
public final class AdminClientConfig extends AbstractConfig {
  public static final String BOOTSTRAP_SERVERS_CONFIG =
      CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
  public static final String CLIENT_ID_CONFIG = CommonClientConfigs.CLIENT_ID_CONFIG;
  public static final String REQUEST_TIMEOUT_MS_CONFIG = "request.timeout.ms";
  public static final String DEFAULT_API_TIMEOUT_MS_CONFIG = "default.api.timeout.ms";
  public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
  public static final String METADATA_MAX_AGE_CONFIG = "metadata.max.age.ms";
  public static final String RETRIES_CONFIG = "retries";

  static final ConfigDef CONFIG =
      CommonClientConfigs.newConfigDef()
          .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30000, atLeast(0), "")
          .define(DEFAULT_API_TIMEOUT_MS_CONFIG, Type.INT, 60000, atLeast(0), "")
          .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, atLeast(0L), "")
          .define(METADATA_MAX_AGE_CONFIG, Type.LONG, 300000L, atLeast(0), "")
          .define(RETRIES_CONFIG, Type.INT, Integer.MAX_VALUE, atLeast(0), "");

  public AdminClientConfig(Map<?, ?> props) {
    super(CONFIG, props, "admin client");
  }
}
