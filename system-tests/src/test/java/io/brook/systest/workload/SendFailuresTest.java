package io.brook.systest.workload;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.errors.InvalidRecordException;
import io.brook.client.common.errors.InvalidTopicException;
import io.brook.client.common.errors.NetworkException;
import io.brook.client.common.errors.NotEnoughReplicasAfterAppendException;
import io.brook.client.common.errors.NotEnoughReplicasException;
import io.brook.client.common.errors.NotLeaderOrFollowerException;
import io.brook.client.common.errors.OutOfOrderSequenceException;
import io.brook.client.common.errors.RecordBatchTooLargeException;
import io.brook.client.common.errors.RecordTooLargeException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.errors.UnknownServerException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendFailuresTest {

  @Test
  void anythingReportedInsideSendIsDefinite() {
    assertTrue(SendFailures.isDefinite(new TimeoutException("metadata"), true));
    assertTrue(SendFailures.isDefinite(new IllegalStateException("closed"), true));
  }

  @Test
  void refusalsBeforeAppendAreDefinite() {
    for (Exception e :
        List.of(
            new RecordTooLargeException("x"),
            new RecordBatchTooLargeException("x"),
            new InvalidRecordException("x"),
            new InvalidTopicException("x"),
            new RuntimeException("wrapped", new RecordTooLargeException("x")))) {
      assertTrue(SendFailures.isDefinite(e, false), e.toString());
    }
  }

  @Test
  void everythingElseIsIndeterminate() {
    for (Exception e :
        List.of(
            new TimeoutException("expired"),
            new NetworkException("gone"),
            new NotLeaderOrFollowerException("moved"),
            new NotEnoughReplicasAfterAppendException("appended"),
            new NotEnoughReplicasException("isr"),
            new OutOfOrderSequenceException("gap"),
            new UnknownServerException("?"),
            new IllegalStateException("?"))) {
      assertFalse(SendFailures.isDefinite(e, false), e.toString());
    }
  }
}
