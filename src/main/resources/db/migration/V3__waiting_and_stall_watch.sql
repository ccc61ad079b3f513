-- A message whose every open route step failed for now (provider errors, timeouts, open circuits)
-- waits in status WAITING and walks its route again when publish_due_at comes; route_pass counts
-- the walks, for the backoff between them.
ALTER TABLE message ADD COLUMN route_pass integer NOT NULL DEFAULT 0;

-- V1 named the status in lower case, so this index never matched; the expiry sweep scans both
-- statuses in which a message waits for a dispatcher.
DROP INDEX message_pending_validity;
CREATE INDEX message_pending_validity ON message (valid_until) WHERE status IN ('ACCEPTED', 'WAITING');
-- The stall watchdog looks for messages that are neither final nor due for publication and that no
-- dispatcher has touched for a while; this keeps that look cheap however large the table grows.
CREATE INDEX message_unfinished ON message (updated_at)
    WHERE publish_due_at IS NULL AND status IN ('ACCEPTED', 'SENDING', 'WAITING');
