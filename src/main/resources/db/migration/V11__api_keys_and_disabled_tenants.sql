-- A tenant holds several API keys, so that it can rotate them (create, switch, revoke) without a
-- gap; only their SHA-256 is kept. prefix is the start of the key, shown in listings.
CREATE TABLE api_key (
    id           uuid         PRIMARY KEY,
    tenant_id    uuid         NOT NULL REFERENCES tenant (id),
    key_hash     char(64)     NOT NULL UNIQUE,
    prefix       varchar(16)  NOT NULL,
    name         varchar(100) NOT NULL,
    created_at   timestamptz  NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_key_by_tenant ON api_key (tenant_id, created_at);

-- The key each tenant had so far becomes its first key (its start is not known: the prefix says so).
INSERT INTO api_key (id, tenant_id, key_hash, prefix, name, created_at)
    SELECT gen_random_uuid(), id, api_key_hash, 'csk_', 'first key', created_at FROM tenant;
ALTER TABLE tenant DROP COLUMN api_key_hash;

-- A disabled tenant's calls are refused (403) and its messages are held, not sent, until it is
-- enabled again or they expire.
ALTER TABLE tenant ADD COLUMN disabled_at timestamptz;
