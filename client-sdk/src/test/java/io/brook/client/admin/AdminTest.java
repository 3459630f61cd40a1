package io.brook.client.admin;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.errors.InvalidReplicationFactorException;
import io.brook.client.common.errors.TopicExistsException;
import io.brook.client.internals.FakeBroker;
import io.brook.common.Time;
import io.brook.protocol.v1.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class AdminTest {
  @Test
  void createDescribeAndErrorMapping() throws Exception {
    try (FakeBroker broker = new FakeBroker();
        Admin admin =
            new BrookAdmin(
                new AdminClientConfig(Map.of("bootstrap.servers", "fakehost:9092")),
                broker.channels(),
                Time.SYSTEM)) {
      admin.createTopics(List.of(new NewTopic("a", 2, (short) 1))).all().get();
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> admin.createTopics(List.of(new NewTopic("a", 2, (short) 1))).all().get());
      assertInstanceOf(TopicExistsException.class, e.getCause());
      assertEquals("Topic 'a' already exists.", e.getCause().getMessage());
      broker.createErrors.put("b", ErrorCode.INVALID_REPLICATION_FACTOR);
      e =
          assertThrows(
              ExecutionException.class,
              () -> admin.createTopics(List.of(new NewTopic("b", 1, (short) 3))).all().get());
      assertInstanceOf(InvalidReplicationFactorException.class, e.getCause());
      TopicDescription d = admin.describeTopics(List.of("a")).allTopicNames().get().get("a");
      assertEquals(2, d.partitions().size());
      assertEquals(1, d.partitions().get(0).leader().id());
      assertEquals(java.util.Set.of("a"), admin.listTopics().names().get());
    }
  }
}
