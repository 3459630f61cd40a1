package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.tools.ToolArgs.UsageException;
import io.brook.common.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's reassignment / topics-to-move / election JSON: parsing, refusals, output. */
class ReassignmentJsonTest {
  private static String refusal(String json) {
    return assertThrows(UsageException.class, () -> ReassignmentJson.parseReassignment(json))
        .getMessage();
  }

  @Test
  void parsesKafkasReassignmentFormatWithOrWithoutLogDirs() {
    Map<TopicPartition, List<Integer>> m =
        ReassignmentJson.parseReassignment(
            "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3,4],"
                + "\"log_dirs\":[\"any\",\"any\",\"any\"]},"
                + "{\"topic\":\"u\",\"partition\":0,\"replicas\":[1]}]}");
    assertEquals(
        List.of(new TopicPartition("t", 1), new TopicPartition("u", 0)), List.copyOf(m.keySet()));
    assertEquals(List.of(2, 3, 4), m.get(new TopicPartition("t", 1)));
  }

  @Test
  void refusesBadPlansWithAMessageSayingWhatIsWrong() {
    String[][] cases = {
      {
        "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2]",
        "Invalid JSON in reassignment JSON (line 1, column"
      },
      {"not json", "Invalid JSON in reassignment JSON"},
      {"[]", "Invalid reassignment JSON: expected a JSON object"},
      {"{\"version\":2,\"partitions\":[]}", "Unsupported version 2 of reassignment JSON"},
      {"{\"version\":1}", "Invalid reassignment JSON: missing array \"partitions\""},
      {"{\"version\":1,\"partitions\":[]}", "Partition reassignment list cannot be empty"},
      {"{\"partitions\":[{\"partition\":0,\"replicas\":[1]}]}", "Invalid reassignment JSON: entry"},
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":-1,\"replicas\":[1]}]}",
        "has no valid \"partition\""
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0}]}",
        "Invalid reassignment JSON: partition t-0 has no \"replicas\""
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[]}]}",
        "Partition t-0 has an empty replica list"
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[\"a\"]}]}",
        "replica \"a\" of partition t-0 is not a broker id"
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2,1]}]}",
        "Partition replica lists may not contain duplicate entries: t-0 contains 1"
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1]},"
            + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[2]}]}",
        "Partition reassignment contains duplicate topic partitions: t-0"
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1],\"log_dirs\":[\"/d\"]}]}",
        "Partition t-0: log_dirs \"/d\" is not supported"
      },
      {
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1],\"log_dirs\":[]}]}",
        "Partition t-0: log_dirs must have one entry per replica"
      },
    };
    for (String[] c : cases) {
      String m = refusal(c[0]);
      assertTrue(m.startsWith(c[1]) || m.contains(c[1]), c[0] + " -> " + m);
    }
  }

  @Test
  void formatsSortedCompactJsonThatParsesBack() {
    Map<TopicPartition, List<Integer>> m = new LinkedHashMap<>();
    m.put(new TopicPartition("t", 1), List.of(3, 4));
    m.put(new TopicPartition("t", 0), List.of(2, 3));
    String json = ReassignmentJson.format(m);
    assertEquals(
        "{\"version\":1,\"partitions\":["
            + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[2,3],\"log_dirs\":[\"any\",\"any\"]},"
            + "{\"topic\":\"t\",\"partition\":1,\"replicas\":[3,4],\"log_dirs\":[\"any\",\"any\"]}]}",
        json);
    assertEquals(m, ReassignmentJson.parseReassignment(json));
  }

  @Test
  void parsesTopicsToMoveAndElectionFiles() {
    assertEquals(
        List.of("a", "b"),
        ReassignmentJson.parseTopicsToMove(
            "{\"version\":1,\"topics\":[{\"topic\":\"a\"},{\"topic\":\"b\"},{\"topic\":\"a\"}]}"));
    assertEquals(
        "List of topics to reassign cannot be empty",
        assertThrows(
                UsageException.class,
                () -> ReassignmentJson.parseTopicsToMove("{\"version\":1,\"topics\":[]}"))
            .getMessage());
    assertEquals(
        Set.of(new TopicPartition("t", 1)),
        ReassignmentJson.parseElectionPartitions(
            "{\"partitions\":[{\"topic\":\"t\",\"partition\":1}]}"));
    assertEquals(
        "Replica election data contains duplicate partitions: t-1",
        assertThrows(
                UsageException.class,
                () ->
                    ReassignmentJson.parseElectionPartitions(
                        "{\"partitions\":[{\"topic\":\"t\",\"partition\":1},"
                            + "{\"topic\":\"t\",\"partition\":1}]}"))
            .getMessage());
  }

  @Test
  void throttlePlanCoversMovingPartitionsOnly() {
    Map<TopicPartition, List<Integer>> current =
        Map.of(
            new TopicPartition("t", 0), List.of(1, 2, 3),
            new TopicPartition("t", 1), List.of(2, 3, 1),
            new TopicPartition("t", 2), List.of(2, 3, 1),
            new TopicPartition("t", 3), List.of(2, 3, 1));
    // t-1 unchanged, t-2 reordered, t-3 loses a replica: nothing to copy, no throttle
    Map<TopicPartition, List<Integer>> target =
        Map.of(
            new TopicPartition("t", 0), List.of(2, 3, 4),
            new TopicPartition("t", 1), List.of(2, 3, 1),
            new TopicPartition("t", 2), List.of(1, 2, 3),
            new TopicPartition("t", 3), List.of(2, 3));
    ReassignmentThrottle.Plan p = ReassignmentThrottle.plan(current, target);
    assertEquals(Set.of(1, 2, 3, 4), p.brokers());
    assertEquals(Map.of("t", "0:1,0:2,0:3"), p.leaderReplicas());
    assertEquals(Map.of("t", "0:4"), p.followerReplicas());
  }
}
