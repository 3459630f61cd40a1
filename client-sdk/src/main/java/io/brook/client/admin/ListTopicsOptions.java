package io.brook.client.admin;

/** Options for listTopics: whether internal topics are listed (not by default), timeout. */
public final class ListTopicsOptions extends AbstractOptions<ListTopicsOptions> {
  private boolean listInternal = false;

  public ListTopicsOptions listInternal(boolean listInternal) {
    this.listInternal = listInternal;
    return this;
  }

  public boolean shouldListInternal() {
    return listInternal;
  }
}
