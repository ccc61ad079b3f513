-- Receipts never cross attempts (docs/providers.md#delivery-receipts). An SMSC may reuse message
-- ids (a counter that wraps or restarts, ids numbered per bind), so a provider's id no longer names
-- one part: each part is keyed by its attempt, remembers the session that issued its id (an SMPP
-- bind; empty for providers whose ids are unique provider-wide) and when it was registered, and a
-- receipt remembers the session it came on.
ALTER TABLE provider_message ADD COLUMN session varchar(64) NOT NULL DEFAULT '';
ALTER TABLE provider_message ADD COLUMN registered_at timestamptz;
UPDATE provider_message p SET registered_at = a.started_at FROM attempt a WHERE a.id = p.attempt_id;
ALTER TABLE provider_message ALTER COLUMN registered_at SET NOT NULL;
ALTER TABLE provider_message DROP CONSTRAINT provider_message_pkey;
ALTER TABLE provider_message ADD PRIMARY KEY (attempt_id, part);
DROP INDEX provider_message_attempt;
CREATE INDEX provider_message_by_id ON provider_message (provider, provider_message_id);

ALTER TABLE receipt ADD COLUMN session varchar(64) NOT NULL DEFAULT '';
