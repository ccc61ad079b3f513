-- Console sign-ins, kept on the server so that any replica can serve them and sign-out ends them
-- everywhere. Only the SHA-256 of the cookie's token is kept: a copy of the table signs nobody in.
-- tenant_id is null for an operator.
CREATE TABLE console_session (
    token_hash   char(64)    PRIMARY KEY,
    role         varchar(8)  NOT NULL CHECK (role IN ('TENANT', 'OPERATOR')),
    tenant_id    uuid        REFERENCES tenant (id),
    csrf_token   varchar(64) NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    CHECK ((role = 'TENANT') = (tenant_id IS NOT NULL))
);
CREATE INDEX console_session_expiry ON console_session (expires_at);
