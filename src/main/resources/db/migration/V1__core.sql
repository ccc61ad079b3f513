-- Tenants: apps that call the API. The API key is stored only as its SHA-256 hash.
CREATE TABLE tenant (
    id           uuid PRIMARY KEY,
    name         varchar(100) NOT NULL,
    api_key_hash char(64)     NOT NULL UNIQUE,
    created_at   timestamptz  NOT NULL
);

-- Status columns hold the upper-case Java enum names (ACCEPTED, SENDING, ...).
-- Messages: the row is committed before 202 is answered and doubles as the outbox.
-- publish_due_at is set while the message still has to reach the broker; the relay
-- claims due rows with FOR UPDATE SKIP LOCKED, so several replicas never publish the same row at once.
CREATE TABLE message (
    id              uuid PRIMARY KEY,          -- UUIDv7: ordering by id is ordering by creation time
    tenant_id       uuid          NOT NULL REFERENCES tenant (id),
    status          varchar(16)   NOT NULL,
    reference       varchar(128),
    text            text          NOT NULL,
    route           text          NOT NULL,    -- JSON array of route steps, as accepted
    current_step    integer       NOT NULL DEFAULT 0,
    delivered_via   varchar(16),
    idempotency_key varchar(255),
    request_hash    char(64),
    created_at      timestamptz   NOT NULL,
    updated_at      timestamptz   NOT NULL,
    valid_until     timestamptz   NOT NULL,
    publish_due_at  timestamptz,
    claimed_until   timestamptz,               -- a dispatcher is sending the current step until then
    version         bigint        NOT NULL DEFAULT 0
);

CREATE INDEX message_tenant_id ON message (tenant_id, id DESC);
CREATE INDEX message_tenant_status ON message (tenant_id, status, id DESC);
CREATE INDEX message_tenant_reference ON message (tenant_id, reference, id DESC) WHERE reference IS NOT NULL;
CREATE UNIQUE INDEX message_idempotency ON message (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX message_publish_due ON message (publish_due_at) WHERE publish_due_at IS NOT NULL;
CREATE INDEX message_pending_validity ON message (valid_until) WHERE status = 'accepted';

-- Attempts: one row per try of one route step over one provider; written before the provider is called.
CREATE TABLE attempt (
    id          uuid PRIMARY KEY,
    message_id  uuid        NOT NULL REFERENCES message (id),
    step        integer     NOT NULL,
    channel     varchar(16) NOT NULL,
    provider    varchar(64) NOT NULL,
    status      varchar(16) NOT NULL,
    error       varchar(1000),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz
);

CREATE INDEX attempt_message ON attempt (message_id, started_at);
