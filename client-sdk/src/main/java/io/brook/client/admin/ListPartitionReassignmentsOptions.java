package io.brook.client.admin;

/** Options for listPartitionReassignments. */
public final class ListPartitionReassignmentsOptions
    extends AbstractOptions<ListPartitionReassignmentsOptions> {}
