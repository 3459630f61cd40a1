package io.brook.client.admin;

/** A topic's name, id and whether it is internal. Immutable. */
public record TopicListing(String name, String topicId, boolean isInternal) {}
