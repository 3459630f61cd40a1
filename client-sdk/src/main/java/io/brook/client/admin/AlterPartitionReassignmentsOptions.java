package io.brook.client.admin;

/** Options for alterPartitionReassignments. */
public final class AlterPartitionReassignmentsOptions
    extends AbstractOptions<AlterPartitionReassignmentsOptions> {
  private boolean validateOnly;

  /** Validate the plan only; change nothing (not in Kafka's options: Brook's protocol has it). */
  public AlterPartitionReassignmentsOptions validateOnly(boolean validateOnly) {
    this.validateOnly = validateOnly;
    return this;
  }

  public boolean shouldValidateOnly() {
    return validateOnly;
  }
}
