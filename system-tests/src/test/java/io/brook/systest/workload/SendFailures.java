package io.brook.systest.workload;

import io.brook.client.common.errors.InvalidRecordException;
import io.brook.client.common.errors.InvalidTopicException;
import io.brook.client.common.errors.RecordBatchTooLargeException;
import io.brook.client.common.errors.RecordTooLargeException;
import java.util.List;

/**
 * The rule that decides whether a failed send is DEFINITE (the record was provably never appended,
 * so reading it later is an anomaly) or INDETERMINATE (it may or may not be in the log; either is
 * fine). Conservative: when in doubt, indeterminate, because calling a maybe-appended record
 * definite would make the checker report a correct broker as broken.
 *
 * <p>A failure is definite only if
 *
 * <ol>
 *   <li>it was reported synchronously, inside {@code send()} on the producing thread (the callback
 *       ran before send returned, or send threw): the record failed before it reached the
 *       accumulator (metadata wait timed out, serialization, client-side size checks), so no
 *       request ever carried it; or
 *   <li>the broker refused the whole batch before appending, for a reason a retry of the same bytes
 *       cannot have escaped on an earlier attempt: {@link RecordTooLargeException}, {@link
 *       RecordBatchTooLargeException}, {@link InvalidRecordException}, {@link
 *       InvalidTopicException} (or one of them as the cause).
 * </ol>
 *
 * <p>Everything else is indeterminate: timeouts (a request may have been appended before its answer
 * was lost; a batch may expire after an attempt that was appended), network and leadership errors,
 * {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} (appended by definition), {@code NOT_ENOUGH_REPLICAS}
 * (refused, but possibly after an earlier attempt of the same batch was appended), sequence and
 * producer-id errors, and anything unknown.
 *
 * <p>Stateless.
 */
public final class SendFailures {
  private static final List<Class<? extends Throwable>> REFUSED_BEFORE_APPEND =
      List.of(
          RecordTooLargeException.class,
          RecordBatchTooLargeException.class,
          InvalidRecordException.class,
          InvalidTopicException.class);

  private SendFailures() {}

  /**
   * @param error what the callback (or send) reported
   * @param synchronous whether it was reported inside {@code send()} on the producing thread
   */
  public static boolean isDefinite(Throwable error, boolean synchronous) {
    if (synchronous) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> c : REFUSED_BEFORE_APPEND) {
        if (c.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }
}
