-- A tenant's webhook: where its message events go and the shared secret that signs them. The secret
-- is stored as given (not hashed) because every delivery is signed with it; it is shown to the
-- tenant only once, in the answer to the PUT that created it.
CREATE TABLE tenant_webhook (
    tenant_id  uuid          PRIMARY KEY REFERENCES tenant (id),
    url        varchar(2048) NOT NULL,
    secret     varchar(64)   NOT NULL,
    updated_at timestamptz   NOT NULL
);

-- A message's own webhook URL, which wins over its tenant's; event_sequence numbers its events.
-- It is incremented by the UPDATE that records an event, so the row lock orders concurrent events.
ALTER TABLE message ADD COLUMN callback_url varchar(2048);
ALTER TABLE message ADD COLUMN event_sequence integer NOT NULL DEFAULT 0;

-- Webhook events: the transactional outbox of tenant notifications. Each row is written in the
-- transaction of the status change it reports; body is the exact JSON that is POSTed and signed.
-- state is PENDING until DELIVERED or FAILED (given up); the deliverer claims due PENDING rows with
-- FOR UPDATE SKIP LOCKED and moves next_attempt_at on by a lease while it delivers.
CREATE TABLE webhook_event (
    id              uuid          PRIMARY KEY,
    message_id      uuid          NOT NULL REFERENCES message (id),
    tenant_id       uuid          NOT NULL REFERENCES tenant (id),
    type            varchar(32)   NOT NULL,
    sequence        integer       NOT NULL,
    url             varchar(2048) NOT NULL,
    body            text          NOT NULL,
    created_at      timestamptz   NOT NULL,
    state           varchar(16)   NOT NULL DEFAULT 'PENDING',
    attempts        integer       NOT NULL DEFAULT 0,
    last_error      varchar(1000),
    next_attempt_at timestamptz,
    delivered_at    timestamptz,
    UNIQUE (message_id, sequence)
);
CREATE INDEX webhook_event_due ON webhook_event (next_attempt_at) WHERE state = 'PENDING';
