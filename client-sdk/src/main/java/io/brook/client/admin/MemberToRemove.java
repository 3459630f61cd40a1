package io.brook.client.admin;

/** A static member to remove from a group, by its {@code group.instance.id}. Immutable. */
public record MemberToRemove(String groupInstanceId) {}
