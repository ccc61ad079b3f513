package io.cascade.message;

import java.util.UUID;

/** CDI event fired once a new message is committed, so that it can be published right away. */
public record MessageAccepted(UUID messageId) {}
