-- Per-tenant limits on POST /v1/messages; null means the configured default (rate) or none (quota).
ALTER TABLE tenant ADD COLUMN messages_per_second integer CHECK (messages_per_second > 0);
ALTER TABLE tenant ADD COLUMN daily_quota bigint CHECK (daily_quota > 0);

-- What each replica admitted per tenant and window: period 's' (window_start in epoch seconds) for
-- the rate, 'd' (epoch days, UTC) for the quota. Each replica writes its own rows with absolute
-- counts (a repeated write changes nothing) and reads the others'; old windows are deleted.
CREATE TABLE rate_usage (
    tenant_id    uuid    NOT NULL,
    period       char(1) NOT NULL CHECK (period IN ('s', 'd')),
    window_start bigint  NOT NULL,
    replica_id   uuid    NOT NULL,
    count        bigint  NOT NULL,
    PRIMARY KEY (tenant_id, period, window_start, replica_id)
);
