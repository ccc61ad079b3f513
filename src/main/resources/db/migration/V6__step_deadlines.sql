-- A step whose provider took the message but whose awaited outcome (waitFor: delivered or read) has
-- not come yet: the message stays SENT until step_due_at, when the step timer starts the next step
-- unless a receipt brought step_attempt_id to step_wait_for first. A row, not an in-memory timer,
-- so that the deadline survives restarts and fires once across replicas. No foreign key to attempt:
-- attempt already references message.
ALTER TABLE message ADD COLUMN step_due_at timestamptz;
ALTER TABLE message ADD COLUMN step_attempt_id uuid;
ALTER TABLE message ADD COLUMN step_wait_for varchar(16);
CREATE INDEX message_step_due ON message (step_due_at) WHERE step_due_at IS NOT NULL;
