package io.brook.client.admin;

/** Options for createTopics: validate only, timeout. */
public final class CreateTopicsOptions extends AbstractOptions<CreateTopicsOptions> {
  private boolean validateOnly = false;

  public CreateTopicsOptions validateOnly(boolean validateOnly) {
    this.validateOnly = validateOnly;
    return this;
  }

  public boolean shouldValidateOnly() {
    return validateOnly;
  }
}
