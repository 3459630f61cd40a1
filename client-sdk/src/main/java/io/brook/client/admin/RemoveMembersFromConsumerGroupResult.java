package io.brook.client.admin;

import io.brook.client.common.errors.BrookException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of removeMembersFromConsumerGroup: the future completes with each removed member's
 * error (null: removed), or fails with a whole-request error (GroupIdNotFoundException, ...).
 * Members removed by "remove all" are keyed by a MemberToRemove of their instance id, or of their
 * member id when dynamic.
 */
public final class RemoveMembersFromConsumerGroupResult {
  private final CompletableFuture<Map<MemberToRemove, BrookException>> future;

  public RemoveMembersFromConsumerGroupResult(
      CompletableFuture<Map<MemberToRemove, BrookException>> future) {
    this.future = future;
  }

  public CompletableFuture<Void> memberResult(MemberToRemove member) {
    return future.thenApply(
        m -> {
          if (!m.containsKey(member)) {
            throw new IllegalArgumentException(
                "Member " + member + " was not included in the original request");
          }
          BrookException e = m.get(member);
          if (e != null) {
            throw e;
          }
          return null;
        });
  }

  public CompletableFuture<Void> all() {
    return future.thenApply(
        m -> {
          for (BrookException e : m.values()) {
            if (e != null) {
              throw e;
            }
          }
          return null;
        });
  }
}
