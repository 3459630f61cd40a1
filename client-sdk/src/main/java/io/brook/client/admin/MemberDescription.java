package io.brook.client.admin;

import java.util.Optional;

/**
 * A member of a consumer group, as Kafka's {@code MemberDescription}: member (consumer) id, the
 * static {@code group.instance.id} if any, client id, host as the coordinator saw it ("/10.0.0.1")
 * and its current assignment (empty while rebalancing). Immutable.
 */
public record MemberDescription(
    String consumerId,
    Optional<String> groupInstanceId,
    String clientId,
    String host,
    MemberAssignment assignment) {}
