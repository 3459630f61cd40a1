package io.brook.client.admin;

/** Options for the admin call of the same name. */
public final class ListOffsetsOptions extends AbstractOptions<ListOffsetsOptions> {}
