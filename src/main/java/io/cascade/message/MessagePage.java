package io.cascade.message;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of messages, newest first. */
public record MessagePage(
    List<MessageView> items,
    @Schema(description = "Pass as cursor to get the next page; null on the last page")
        String nextCursor) {}
