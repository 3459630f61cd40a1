package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.ConsumerGroupDescription;
import io.brook.client.admin.ConsumerGroupListing;
import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.admin.MemberAssignment;
import io.brook.client.admin.MemberDescription;
import io.brook.client.common.Node;
import io.brook.client.common.errors.GroupNotEmptyException;
import io.brook.client.common.errors.GroupSubscribedToTopicException;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.tools.ConsumerGroupOutput.MemberRow;
import io.brook.client.tools.ConsumerGroupOutput.OffsetRow;
import io.brook.common.TopicPartition;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Kafka's ConsumerGroupCommand output, column for column. */
class ConsumerGroupOutputTest {
  private static final TopicPartition T0 = new TopicPartition("orders", 0);
  private static final TopicPartition T1 = new TopicPartition("orders", 1);
  private static final TopicPartition T2 = new TopicPartition("orders", 2);

  private static String pad(String s, int width) {
    return String.format("%-" + width + "s", s);
  }

  @Test
  void offsetsTableHasKafkasColumnsAndDashesForMissingValues() {
    MemberDescription m =
        new MemberDescription(
            "consumer-1-5c0c",
            Optional.empty(),
            "consumer-1",
            "/127.0.0.1",
            new MemberAssignment(Set.of(T1, T0)));
    Map<TopicPartition, OffsetAndMetadata> committed = new LinkedHashMap<>();
    committed.put(T0, new OffsetAndMetadata(40));
    committed.put(T2, new OffsetAndMetadata(7));
    List<OffsetRow> rows =
        ConsumerGroupOutput.offsetRows("g", List.of(m), committed, Map.of(T0, 50L, T2, 7L));
    assertEquals(
        List.of(
            new OffsetRow(
                "g", "orders", 0, 40L, 50L, 10L, "consumer-1-5c0c", "/127.0.0.1", "consumer-1"),
            new OffsetRow(
                "g", "orders", 1, null, null, null, "consumer-1-5c0c", "/127.0.0.1", "consumer-1"),
            new OffsetRow("g", "orders", 2, 7L, 7L, 0L, "-", "-", "-")),
        rows);
    String expected =
        "\n"
            + String.join(
                " ",
                pad("GROUP", 15),
                pad("TOPIC", 15),
                pad("PARTITION", 10),
                pad("CURRENT-OFFSET", 15),
                pad("LOG-END-OFFSET", 15),
                pad("LAG", 15),
                pad("CONSUMER-ID", 15),
                pad("HOST", 15),
                "CLIENT-ID")
            + "\n"
            + String.join(
                " ",
                pad("g", 15),
                pad("orders", 15),
                pad("0", 10),
                pad("40", 15),
                pad("50", 15),
                pad("10", 15),
                pad("consumer-1-5c0c", 15),
                pad("/127.0.0.1", 15),
                "consumer-1")
            + "\n"
            + String.join(
                " ",
                pad("g", 15),
                pad("orders", 15),
                pad("1", 10),
                pad("-", 15),
                pad("-", 15),
                pad("-", 15),
                pad("consumer-1-5c0c", 15),
                pad("/127.0.0.1", 15),
                "consumer-1")
            + "\n"
            + String.join(
                " ",
                pad("g", 15),
                pad("orders", 15),
                pad("2", 10),
                pad("7", 15),
                pad("7", 15),
                pad("0", 15),
                pad("-", 15),
                pad("-", 15),
                "-")
            + "\n";
    assertEquals(expected, ConsumerGroupOutput.offsets(rows));
  }

  @Test
  void columnsWidenToTheLongestValue() {
    String longTopic = "a-topic-with-a-long-name";
    OffsetRow r =
        new OffsetRow("g", longTopic, 0, 1L, 2L, 1L, "consumer-with-a-long-id-0001", "/h", "c");
    String[] lines = ConsumerGroupOutput.offsets(List.of(r)).split("\n");
    assertEquals("", lines[0]);
    assertTrue(
        lines[1].startsWith(pad("GROUP", 15) + " " + pad("TOPIC", longTopic.length()) + " "));
    assertEquals(
        lines[1].indexOf("CLIENT-ID"), lines[2].lastIndexOf(" c") + 1, lines[1] + "\n" + lines[2]);
  }

  @Test
  void membersTableWithAndWithoutInstanceIdsAndVerboseAssignment() {
    MemberRow dynamic =
        new MemberRow(
            "g", "c-1", "", "/h1", "client", 3, List.of(T2, T0, new TopicPartition("a", 4)));
    assertEquals(
        "\n"
            + String.join(
                " ",
                pad("GROUP", 15),
                pad("CONSUMER-ID", 15),
                pad("HOST", 15),
                pad("CLIENT-ID", 15),
                pad("#PARTITIONS", 15))
            + " "
            + "\n"
            + String.join(
                " ", pad("g", 15), pad("c-1", 15), pad("/h1", 15), pad("client", 15), pad("3", 15))
            + " "
            + "\n",
        ConsumerGroupOutput.members(List.of(dynamic), false));
    String verbose = ConsumerGroupOutput.members(List.of(dynamic), true);
    assertTrue(verbose.contains(pad("#PARTITIONS", 15) + " ASSIGNMENT\n"), verbose);
    assertTrue(verbose.endsWith(pad("3", 15) + " a(4), orders(0,2)\n"), verbose);

    MemberRow staticMember = new MemberRow("g", "c-2", "instance-2", "/h2", "client", 0, List.of());
    String withInstance = ConsumerGroupOutput.members(List.of(dynamic, staticMember), true);
    assertTrue(
        withInstance.contains(
            pad("CONSUMER-ID", 15) + " " + pad("GROUP-INSTANCE-ID", 17) + " " + pad("HOST", 15)),
        withInstance);
    assertTrue(withInstance.endsWith(pad("0", 15) + " -\n"), "no assignment: -");
  }

  @Test
  void stateTableNamesTheCoordinator() {
    ConsumerGroupDescription d =
        new ConsumerGroupDescription(
            "g",
            false,
            List.of(),
            "range",
            ConsumerGroupState.STABLE,
            new Node(2, "broker2", 9093));
    assertEquals(
        "\n"
            + pad("GROUP", 15)
            + " "
            + pad("COORDINATOR (ID)", 25)
            + " "
            + pad("ASSIGNMENT-STRATEGY", 20)
            + " "
            + pad("STATE", 15)
            + " #MEMBERS\n"
            + pad("g", 15)
            + " "
            + pad("broker2:9093 (2)", 25)
            + " "
            + pad("range", 20)
            + " "
            + pad("Stable", 15)
            + " 0\n",
        ConsumerGroupOutput.state(d));
  }

  @Test
  void listWithStatesAndResetTable() {
    assertEquals(
        pad("GROUP", 15) + " STATE\n" + pad("a", 15) + " Stable\n" + pad("b", 15) + " Empty\n",
        ConsumerGroupOutput.groupStates(
            List.of(
                new ConsumerGroupListing("a", false, Optional.of(ConsumerGroupState.STABLE)),
                new ConsumerGroupListing("b", true, Optional.of(ConsumerGroupState.EMPTY)))));
    Map<String, Map<TopicPartition, Long>> plans = new TreeMap<>();
    plans.put("g", new TreeMap<>(Map.of(T1, 5L, T0, 3L)));
    assertEquals(
        "\n"
            + String.format(
                "%-30s %-30s %-10s %-15s%n", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
            + String.format("%-30s %-30s %-10s %-15s%n", "g", "orders", "0", "3")
            + String.format("%-30s %-30s %-10s %-15s%n", "g", "orders", "1", "5")
            + "\n",
        ConsumerGroupOutput.offsetsToReset(plans));
  }

  @Test
  void groupStateNotesAsKafka() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertFalse(ConsumerGroupOutput.printGroupStateNote("g", "Dead", 0, o, e));
    assertTrue(ConsumerGroupOutput.printGroupStateNote("g", "Empty", 2, o, e));
    assertFalse(ConsumerGroupOutput.printGroupStateNote("g", "Empty", 0, o, e));
    assertTrue(ConsumerGroupOutput.printGroupStateNote("g", "PreparingRebalance", 1, o, e));
    assertTrue(ConsumerGroupOutput.printGroupStateNote("g", "Stable", 1, o, e));
    assertEquals(
        "\nError: Consumer group 'g' does not exist.\n", out.toString(StandardCharsets.UTF_8));
    assertEquals(
        "\nConsumer group 'g' has no active members.\n"
            + "\nConsumer group 'g' has no active members.\n"
            + "\nWarning: Consumer group 'g' is rebalancing.\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void deleteMessagesAsKafka() {
    assertEquals(
        "Deletion of requested consumer groups ('a', 'b') was successful.\n",
        ConsumerGroupOutput.deleteGroups(List.of("a", "b"), Map.of()));
    String failed =
        ConsumerGroupOutput.deleteGroups(
            List.of("a"), Map.of("b", new GroupNotEmptyException("The group is not empty.")));
    assertEquals(
        "\nError: Deletion of some consumer groups failed:\n"
            + "* Group 'b' could not be deleted due to:"
            + " io.brook.client.common.errors.GroupNotEmptyException: The group is not empty.\n"
            + "\nThese consumer groups were deleted successfully: 'a'\n",
        failed);

    Map<TopicPartition, Throwable> ok = new LinkedHashMap<>();
    ok.put(T0, null);
    assertEquals(
        "Request succeed for deleting offsets with topic orders group g\n"
            + "\n"
            + String.format("%-30s %-15s %-15s%n", "TOPIC", "PARTITION", "STATUS")
            + String.format("%-30s %-15s %-15s%n", "orders", "0", "Successful"),
        ConsumerGroupOutput.deleteOffsets("g", List.of("orders"), null, ok));
    Map<TopicPartition, Throwable> partial = new LinkedHashMap<>();
    partial.put(T1, new GroupSubscribedToTopicException("subscribed"));
    partial.put(new TopicPartition("nope", -1), new RuntimeException("unknown topic"));
    String out = ConsumerGroupOutput.deleteOffsets("g", List.of("orders:1", "nope"), null, partial);
    assertTrue(
        out.startsWith(
            "\nError: Encounter some partition level error, see the follow-up details:\n"),
        out);
    assertTrue(
        out.contains(
            String.format("%-30s %-15s %-15s", "nope", "Not Provided", "Error: unknown topic")),
        out);
    assertTrue(
        out.contains(String.format("%-30s %-15s %-15s", "orders", "1", "Error: subscribed")), out);
    assertTrue(
        ConsumerGroupOutput.deleteOffsets(
                "g",
                List.of("orders"),
                new GroupNotEmptyException("x"),
                Map.of(T0, new GroupNotEmptyException("x")))
            .startsWith(
                "\nError: Deleting offsets of a consumer group 'g' is forbidden if the group is"
                    + " not empty.\n"));
  }
}
