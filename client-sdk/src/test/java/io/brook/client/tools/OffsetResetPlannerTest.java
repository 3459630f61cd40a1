package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.tools.OffsetResetPlanner.ByDuration;
import io.brook.client.tools.OffsetResetPlanner.FromFile;
import io.brook.client.tools.OffsetResetPlanner.Offsets;
import io.brook.client.tools.OffsetResetPlanner.Plan;
import io.brook.client.tools.OffsetResetPlanner.PlanException;
import io.brook.client.tools.OffsetResetPlanner.ShiftBy;
import io.brook.client.tools.OffsetResetPlanner.Target;
import io.brook.client.tools.OffsetResetPlanner.ToCurrent;
import io.brook.client.tools.OffsetResetPlanner.ToDatetime;
import io.brook.client.tools.OffsetResetPlanner.ToEarliest;
import io.brook.client.tools.OffsetResetPlanner.ToLatest;
import io.brook.client.tools.OffsetResetPlanner.ToOffset;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kafka's prepareOffsetsToReset rules, case by case. */
class OffsetResetPlannerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final List<TopicPartition> BOTH = List.of(P1, P0);

  /** P0: log [10, 100), committed 50; P1: log [0, 20), nothing committed. */
  private static final Offsets OFFSETS =
      new Offsets(
          Map.of(P0, 50L),
          Map.of(P0, 10L, P1, 0L),
          Map.of(P0, 100L, P1, 20L),
          Map.of(P0, 30L, P1, -1L));

  private record Case(String name, Target target, Map<TopicPartition, Long> expected, int warns) {}

  @Test
  void everyTargetAsKafka() {
    List<Case> cases =
        List.of(
            new Case("earliest", new ToEarliest(), Map.of(P0, 10L, P1, 0L), 0),
            new Case("latest", new ToLatest(), Map.of(P0, 100L, P1, 20L), 0),
            new Case(
                "current: committed, else log end", new ToCurrent(), Map.of(P0, 50L, P1, 20L), 0),
            new Case("to-offset inside", new ToOffset(15), Map.of(P0, 15L, P1, 15L), 0),
            new Case(
                "to-offset clamped to log end and to log start",
                new ToOffset(5),
                Map.of(P0, 10L, P1, 5L),
                1),
            new Case("to-offset past both ends", new ToOffset(500), Map.of(P0, 100L, P1, 20L), 2),
            new Case(
                "datetime: found, or log end when no record is that recent",
                new ToDatetime(30_000),
                Map.of(P0, 30L, P1, 20L),
                1),
            new Case(
                "duration looks up as datetime",
                new ByDuration(Duration.ofMinutes(1)),
                Map.of(P0, 30L, P1, 20L),
                1));
    for (Case c : cases) {
      Plan plan = OffsetResetPlanner.plan(BOTH, c.target(), OFFSETS);
      assertEquals(c.expected(), plan.newOffsets(), c.name());
      assertEquals(c.warns(), plan.warnings().size(), c.name() + ": " + plan.warnings());
      assertEquals(List.of(P0, P1), List.copyOf(plan.newOffsets().keySet()), "sorted");
    }
  }

  @Test
  void shiftByMovesFromTheCommittedOffsetAndClamps() {
    assertEquals(
        Map.of(P0, 45L),
        OffsetResetPlanner.plan(List.of(P0), new ShiftBy(-5), OFFSETS).newOffsets());
    Plan back = OffsetResetPlanner.plan(List.of(P0), new ShiftBy(-100), OFFSETS);
    assertEquals(Map.of(P0, 10L), back.newOffsets());
    assertEquals(
        List.of(
            "WARN: New offset (-50) is lower than earliest offset for topic partition t-0. Value"
                + " will be set to 10"),
        back.warnings());
    Plan forward = OffsetResetPlanner.plan(List.of(P0), new ShiftBy(70), OFFSETS);
    assertEquals(Map.of(P0, 100L), forward.newOffsets());
    assertEquals(
        List.of(
            "WARN: New offset (120) is higher than latest offset for topic partition t-0. Value"
                + " will be set to 100"),
        forward.warnings());
    PlanException e =
        assertThrows(
            PlanException.class, () -> OffsetResetPlanner.plan(BOTH, new ShiftBy(1), OFFSETS));
    assertEquals(
        "Cannot shift offset for partition t-1 since there is no current committed offset",
        e.getMessage());
  }

  @Test
  void emptyPartitionFallsBackToTheLogEndWithKafkasWarning() {
    Plan p = OffsetResetPlanner.plan(List.of(P1), new ToDatetime(1), OFFSETS);
    assertEquals(
        List.of("Warn: Partition 1 from topic t is empty. Falling back to latest known offset."),
        p.warnings());
  }

  @Test
  void fromFileUsesTheFilesPartitionsClamped() {
    Plan p = OffsetResetPlanner.plan(List.of(), new FromFile(Map.of(P0, 1000L, P1, 7L)), OFFSETS);
    assertEquals(Map.of(P0, 100L, P1, 7L), p.newOffsets());
  }

  @Test
  void missingLookupsAreErrorsNamingThePartition() {
    Offsets none = new Offsets(Map.of(), Map.of(), Map.of(), Map.of());
    assertEquals(
        "Error getting starting offset of topic partition: t-0",
        assertThrows(
                PlanException.class,
                () -> OffsetResetPlanner.plan(List.of(P0), new ToEarliest(), none))
            .getMessage());
    assertEquals(
        "Error getting ending offset of topic partition: t-0",
        assertThrows(
                PlanException.class,
                () -> OffsetResetPlanner.plan(List.of(P0), new ToLatest(), none))
            .getMessage());
    assertEquals(
        "Error getting offset by timestamp of topic partition: t-0",
        assertThrows(
                PlanException.class,
                () -> OffsetResetPlanner.plan(List.of(P0), new ToDatetime(5), none))
            .getMessage());
  }

  @Test
  void timestampOfDurationIsRelativeToNow() {
    assertEquals(
        1_000_000 - 3_600_000 * 2 - 60_000 * 5,
        OffsetResetPlanner.timestampOf(
            new ByDuration(OffsetResetPlanner.parseDuration("PT2H5M")), 1_000_000));
    assertEquals(77, OffsetResetPlanner.timestampOf(new ToDatetime(77), 1_000_000));
    assertEquals(Duration.ofDays(1).plusHours(2), OffsetResetPlanner.parseDuration("P1DT2H"));
    assertThrows(ToolArgs.UsageException.class, () -> OffsetResetPlanner.parseDuration("2 hours"));
  }

  @Test
  void dateTimesAsKafkasUtilsGetDateTime() {
    // no zone: UTC
    assertEquals(1_700_000_000_000L, OffsetResetPlanner.parseDateTime("2023-11-14T22:13:20.000"));
    assertEquals(1_700_000_000_000L, OffsetResetPlanner.parseDateTime("2023-11-14T22:13:20"));
    assertEquals(1_700_000_000_000L, OffsetResetPlanner.parseDateTime("2023-11-14T22:13:20.000Z"));
    assertEquals(
        1_700_000_000_000L, OffsetResetPlanner.parseDateTime("2023-11-15T00:13:20.000+02:00"));
    assertEquals(
        1_700_000_000_000L, OffsetResetPlanner.parseDateTime("2023-11-14T21:13:20.000-01:00"));
    assertThrows(ToolArgs.UsageException.class, () -> OffsetResetPlanner.parseDateTime("2023"));
    assertThrows(
        ToolArgs.UsageException.class, () -> OffsetResetPlanner.parseDateTime("2023-11-14Tnoon"));
  }

  @Test
  void resetPlanFilesAndCsvExportRoundTrip() {
    Map<String, Map<TopicPartition, Long>> one =
        OffsetResetPlanner.parseResetPlan(List.of("t,0,5", "", " t , 1 , 6 "), "g");
    assertEquals(Map.of("g", Map.of(P0, 5L, P1, 6L)), one);
    assertEquals("t,0,5\nt,1,6\n", OffsetResetPlanner.toCsv(one));
    Map<String, Map<TopicPartition, Long>> two =
        OffsetResetPlanner.parseResetPlan(List.of("a,t,0,1", "b,t,1,2"), null);
    assertEquals("a,t,0,1\nb,t,1,2\n", OffsetResetPlanner.toCsv(two));
    assertEquals(two, OffsetResetPlanner.parseResetPlan(List.of("a,t,0,1", "b,t,1,2"), "x"));
    assertThrows(
        ToolArgs.UsageException.class,
        () -> OffsetResetPlanner.parseResetPlan(List.of("t,0,5"), null));
    assertThrows(
        ToolArgs.UsageException.class,
        () -> OffsetResetPlanner.parseResetPlan(List.of("t,zero,5"), "g"));
    assertThrows(
        ToolArgs.UsageException.class,
        () -> OffsetResetPlanner.parseResetPlan(List.of("t,0"), "g"));
  }
}
