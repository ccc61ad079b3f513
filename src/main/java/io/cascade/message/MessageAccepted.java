package io.cascade.message;

import java.time.Instant;
import java.util.UUID;

/**
 * CDI event fired once a new message is committed, so that it can be published right away; {@code
 * publishDueAt} is the outbox deadline stored with it, which the publisher clears once confirmed.
 */
public record MessageAccepted(
    UUID messageId, UUID tenantId, Instant publishDueAt, Priority priority) {}
