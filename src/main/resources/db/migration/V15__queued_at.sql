-- When the broker last confirmed a publication of the message that no dispatcher has taken since:
-- set by the outbox's write-back to the time stamped on that publication, cleared by every change
-- a dispatcher, a receipt or a timer makes. The stall watchdog compares it with how far the queue
-- has come (the newest stamp its consumers received) to find queue entries the broker holds for no
-- consumer within seconds (docs/reliability.md#messages-the-broker-confirmed-but-did-not-deliver).
ALTER TABLE message ADD COLUMN queued_at timestamptz;
-- Holds only the messages on the queue right now: small, however large the table grows.
CREATE INDEX message_queued ON message (priority, queued_at) WHERE queued_at IS NOT NULL;
-- Steps being sent right now (a claim is cleared with the send's outcome), for the watchdog's look
-- at claims whose owner stopped beating.
CREATE INDEX message_claimed ON message (claimed_until) WHERE claimed_until IS NOT NULL;
