-- Which dispatcher (service process) owns a message's current step, and when each dispatcher was
-- last seen alive: a redelivered message whose owner stopped heart-beating is taken over at once
-- instead of waiting for the claim to lapse.
ALTER TABLE message ADD COLUMN claimed_by uuid;

CREATE TABLE dispatcher_instance (
    id      uuid PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
