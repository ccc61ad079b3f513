package io.cascade.channel;

import java.util.UUID;

/** What a provider needs to send one route step of a message. */
public record Outbound(UUID messageId, Channel channel, String to, String subject, String text) {}
