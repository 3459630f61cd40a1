package io.brook.broker.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; never a fixed sleep. */
public final class Wait {
  private Wait() {}

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      try {
        Thread.sleep(20); // polling interval, not a wait for an event
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  public static void until(String what, BooleanSupplier condition) {
    until(what, Duration.ofSeconds(30), condition);
  }

  /** Retries {@code call} until it returns a value accepted by {@code ok}; returns that value. */
  public static <T> T forValue(
      String what, Duration timeout, Supplier<T> call, java.util.function.Predicate<T> ok) {
    Object[] last = new Object[1];
    until(
        what,
        timeout,
        () -> {
          try {
            T v = call.get();
            last[0] = v;
            return ok.test(v);
          } catch (RuntimeException e) {
            last[0] = e;
            return false;
          }
        });
    @SuppressWarnings("unchecked")
    T v = (T) last[0];
    return v;
  }
}
