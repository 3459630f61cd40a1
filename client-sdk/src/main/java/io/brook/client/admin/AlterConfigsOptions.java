package io.brook.client.admin;

/** Options for incrementalAlterConfigs (Kafka's {@code AlterConfigsOptions}). */
public final class AlterConfigsOptions extends AbstractOptions<AlterConfigsOptions> {
  private boolean validateOnly;

  /** Validate the changes only; change nothing. */
  public AlterConfigsOptions validateOnly(boolean validateOnly) {
    this.validateOnly = validateOnly;
    return this;
  }

  public boolean shouldValidateOnly() {
    return validateOnly;
  }
}
