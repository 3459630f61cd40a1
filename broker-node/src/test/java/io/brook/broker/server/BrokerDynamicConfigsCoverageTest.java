package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.metadata.config.BrokerDynamicConfigs;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every key BrokerConfig defines is classified by BrokerDynamicConfigs: dynamic, or static (refused
 * by IncrementalAlterConfigs with "Cannot update these configs dynamically"), never "unknown".
 */
class BrokerDynamicConfigsCoverageTest {
  @Test
  void everyBrokerConfigKeyIsStaticOrDynamic() throws Exception {
    List<String> unclassified = new ArrayList<>();
    for (Field f : BrokerConfig.class.getFields()) {
      if (f.getType() == String.class
          && Modifier.isStatic(f.getModifiers())
          && Modifier.isFinal(f.getModifiers())) {
        String key = (String) f.get(null);
        if (!BrokerDynamicConfigs.isDynamic(key) && !BrokerDynamicConfigs.isStatic(key)) {
          unclassified.add(key);
        }
      }
    }
    assertEquals(List.of(), unclassified);
  }
}
