-- deliveredVia is derived from the attempts: every attempt that reached delivered or read, in the
-- order they got there (a late receipt can deliver a step the cascade already left). delivered_at
-- is when the attempt first reached delivered (or read); message.delivered_via held one channel only.
ALTER TABLE attempt ADD COLUMN delivered_at timestamptz;
UPDATE attempt SET delivered_at = ended_at WHERE status IN ('DELIVERED', 'READ');
ALTER TABLE message DROP COLUMN delivered_via;
