-- Console analytics (analytics/DeliveryAnalytics owns both tables): one row per hour, tenant and
-- provider of the attempts started in that hour; tenant_id NULL holds the hour over all tenants.
-- deliver_seconds counts the delivered attempts per bucket of time from accept to delivered
-- (bounds in analytics/DeliveryTimes), so hours add up to days.
CREATE TABLE delivery_rollup (
    hour            timestamptz NOT NULL,
    tenant_id       uuid REFERENCES tenant (id),
    channel         varchar(16) NOT NULL,
    provider        varchar(64) NOT NULL,
    attempts        bigint      NOT NULL,
    delivered       bigint      NOT NULL,
    failed          bigint      NOT NULL,
    deliver_seconds bigint[]    NOT NULL
);

CREATE UNIQUE INDEX delivery_rollup_key
    ON delivery_rollup (tenant_id, hour, channel, provider) NULLS NOT DISTINCT;
CREATE INDEX delivery_rollup_hour ON delivery_rollup (hour);

-- The hours rolled up, and when: an hour is rolled again as late receipts come in.
CREATE TABLE rollup_hour (
    hour      timestamptz PRIMARY KEY,
    rolled_at timestamptz NOT NULL
);

-- Each attempt carries its message's tenant and acceptance time, so analytics read attempts alone
-- (the store copies them in when it writes an attempt; they never change).
ALTER TABLE attempt ADD COLUMN tenant_id uuid, ADD COLUMN accepted_at timestamptz;
UPDATE attempt a SET tenant_id = m.tenant_id, accepted_at = m.created_at
  FROM message m WHERE m.id = a.message_id;
ALTER TABLE attempt ALTER COLUMN tenant_id SET NOT NULL, ALTER COLUMN accepted_at SET NOT NULL;

-- Attempts are written in the order they start, so a BRIN index finds an hour's attempts at the
-- cost of a few pages per insert instead of a B-tree entry.
CREATE INDEX attempt_started ON attempt USING brin (started_at) WITH (pages_per_range = 16, autosummarize = on);
