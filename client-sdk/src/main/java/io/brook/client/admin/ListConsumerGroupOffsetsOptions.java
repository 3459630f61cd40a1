package io.brook.client.admin;

/** Options for the admin call of the same name. */
public final class ListConsumerGroupOffsetsOptions
    extends AbstractOptions<ListConsumerGroupOffsetsOptions> {}
