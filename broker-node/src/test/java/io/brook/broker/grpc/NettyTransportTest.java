package io.brook.broker.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyTransportTest {
  private ResourceLeakDetector.Level before;
  private String property;

  @BeforeEach
  void save() {
    before = ResourceLeakDetector.getLevel();
    property = System.getProperty(NettyTransport.LEAK_DETECTION_PROPERTY);
  }

  @AfterEach
  void restore() {
    ResourceLeakDetector.setLevel(before);
    if (property == null) {
      System.clearProperty(NettyTransport.LEAK_DETECTION_PROPERTY);
    } else {
      System.setProperty(NettyTransport.LEAK_DETECTION_PROPERTY, property);
    }
  }

  @Test
  void serverTurnsTheLeakDetectorOffUnlessAskedFor() {
    System.clearProperty(NettyTransport.LEAK_DETECTION_PROPERTY);
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    NettyTransport.useServerDefaults();
    assertEquals(ResourceLeakDetector.Level.DISABLED, ResourceLeakDetector.getLevel());

    System.setProperty(NettyTransport.LEAK_DETECTION_PROPERTY, "paranoid");
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    NettyTransport.useServerDefaults();
    assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
  }
}
