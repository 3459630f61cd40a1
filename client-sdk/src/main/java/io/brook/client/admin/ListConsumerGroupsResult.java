package io.brook.client.admin;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The outcome of listConsumerGroups, as Kafka's: {@link #valid()} the groups of every broker that
 * answered, {@link #errors()} the failures of the others, {@link #all()} the groups or the first
 * failure.
 */
public final class ListConsumerGroupsResult {
  private final CompletableFuture<Collection<ConsumerGroupListing>> valid;
  private final CompletableFuture<Collection<Throwable>> errors;

  public ListConsumerGroupsResult(
      CompletableFuture<Collection<ConsumerGroupListing>> valid,
      CompletableFuture<Collection<Throwable>> errors) {
    this.valid = valid;
    this.errors = errors;
  }

  public CompletableFuture<Collection<ConsumerGroupListing>> valid() {
    return valid;
  }

  public CompletableFuture<Collection<Throwable>> errors() {
    return errors;
  }

  public CompletableFuture<Collection<ConsumerGroupListing>> all() {
    return valid.thenCombine(
        errors,
        (listings, errs) -> {
          if (!errs.isEmpty()) {
            Throwable first = errs.iterator().next();
            throw first instanceof RuntimeException re ? re : new CompletionException(first);
          }
          return listings;
        });
  }
}
