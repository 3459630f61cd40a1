package io.brook.client.admin;

/** Options for the admin call of the same name. */
public final class DeleteConsumerGroupOffsetsOptions
    extends AbstractOptions<DeleteConsumerGroupOffsetsOptions> {}
