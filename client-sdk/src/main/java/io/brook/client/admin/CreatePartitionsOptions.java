package io.brook.client.admin;

/** Options for createPartitions (Kafka's {@code CreatePartitionsOptions}). */
public final class CreatePartitionsOptions extends AbstractOptions<CreatePartitionsOptions> {
  private boolean validateOnly;

  /** Validate the request only; add nothing. */
  public CreatePartitionsOptions validateOnly(boolean validateOnly) {
    this.validateOnly = validateOnly;
    return this;
  }

  public boolean validateOnly() {
    return validateOnly;
  }
}
