package io.brook.client.admin;

/** Options every admin call takes: a timeout (null: default.api.timeout.ms). Not thread-safe. */
public abstract class AbstractOptions<T extends AbstractOptions<T>> {
  protected Integer timeoutMs = null;

  @SuppressWarnings("unchecked")
  public T timeoutMs(Integer timeoutMs) {
    this.timeoutMs = timeoutMs;
    return (T) this;
  }

  public Integer timeoutMs() {
    return timeoutMs;
  }
}
