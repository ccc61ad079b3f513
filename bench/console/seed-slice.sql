-- Adds messages :lo to :hi of :total, spread evenly over the 7 days up to now, for the console
-- benchmark (bench/console/run.sh): one transaction per slice, rows in creation order as the
-- service writes them. Run with psql -v lo=... -v hi=... -v total=...
\set ON_ERROR_STOP on

-- A UUIDv7 for a creation time, as the service makes them: 48 bits of milliseconds, version 7.
CREATE FUNCTION pg_temp.uuid7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_byte(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
         6, (get_byte(uuid_send(gen_random_uuid()), 6) & 15) | 112), 'hex')::uuid
$$;

BEGIN;
CREATE TEMP TABLE seeded ON COMMIT DROP AS
  SELECT n, pg_temp.uuid7(ts) AS id,
         CASE WHEN n % 100 < 40 THEN '00000000-0000-4000-8000-000000000001'::uuid
              ELSE ('00000000-0000-4000-8000-' || lpad(to_hex(2 + n % 19), 12, '0'))::uuid
         END AS tenant_id,
         ts AS created_at,
         (n * 7919) % 100 AS kind,
         '+4915' || lpad((n % 200000)::text, 9, '0') AS recipient
  FROM (SELECT n, now() - interval '7 days' + (n * 604800.0 / :total) * interval '1 second' AS ts
        FROM generate_series(:lo::bigint, :hi::bigint) n) s;

  -- kind < 70: delivered over SMS; < 88: SMS failed, delivered over WhatsApp; < 93: both failed;
  -- < 96: expired waiting for an SMS receipt; else still awaiting a receipt (sent).
  INSERT INTO message (id, tenant_id, status, reference, text, route, created_at, updated_at,
                       valid_until, priority, current_step, event_sequence)
  SELECT id, tenant_id,
         CASE WHEN kind < 88 THEN 'DELIVERED' WHEN kind < 93 THEN 'FAILED'
              WHEN kind < 96 THEN 'EXPIRED' ELSE 'SENT' END,
         'order-' || n, 'Your code is ' || lpad((n % 1000000)::text, 6, '0'),
         '[{"channel":"sms","to":"' || recipient || '"},{"channel":"whatsapp","to":"'
           || recipient || '"}]',
         created_at,
         created_at + CASE WHEN kind < 93 THEN interval '3 seconds' ELSE interval '1 day' END,
         created_at + interval '1 day',
         CASE WHEN n % 10 = 0 THEN 'HIGH' ELSE 'NORMAL' END,
         CASE WHEN kind >= 70 AND kind < 93 THEN 1 ELSE 0 END,
         CASE WHEN n % 5 = 0 THEN 1 ELSE 0 END
  FROM seeded ORDER BY n;

  INSERT INTO message_recipient (tenant_id, recipient, message_id)
  SELECT tenant_id, recipient, id FROM seeded;

  INSERT INTO attempt (id, message_id, step, channel, provider, status, error, started_at,
                       ended_at, delivered_at, reason, parts, tenant_id, accepted_at)
  SELECT gen_random_uuid(), id, 0, 'SMS', CASE WHEN n % 3 = 0 THEN 'smpp-b' ELSE 'smpp-a' END,
         CASE WHEN kind < 70 THEN 'DELIVERED' WHEN kind < 93 THEN 'UNDELIVERED'
              WHEN kind < 96 THEN 'EXPIRED' ELSE 'SENT' END,
         CASE WHEN kind >= 70 AND kind < 93 THEN 'negative_receipt: undeliverable' END,
         created_at + interval '40 milliseconds',
         created_at + interval '90 milliseconds',
         CASE WHEN kind < 70 THEN created_at + (1 + (n % 5000) / 1000.0) * interval '1 second' END,
         CASE WHEN kind >= 70 AND kind < 80 THEN 'NEGATIVE_RECEIPT'
              WHEN kind >= 80 AND kind < 93 THEN 'NO_RECEIPT_IN_TIME' END,
         1, tenant_id, created_at
  FROM seeded ORDER BY n;

  INSERT INTO attempt (id, message_id, step, channel, provider, status, error, started_at,
                       ended_at, delivered_at, reason, tenant_id, accepted_at)
  SELECT gen_random_uuid(), id, 1, 'WHATSAPP', 'whatsapp-cloud',
         CASE WHEN kind < 88 THEN 'DELIVERED' ELSE 'FAILED' END,
         CASE WHEN kind >= 88 THEN 'send_error: 131026 undeliverable' END,
         created_at + interval '2 seconds',
         created_at + interval '2200 milliseconds',
         CASE WHEN kind < 88 THEN created_at + (2.5 + (n % 3000) / 1000.0) * interval '1 second' END,
         CASE WHEN kind >= 88 THEN 'SEND_ERROR' END, tenant_id, created_at
  FROM seeded WHERE kind >= 70 AND kind < 93 ORDER BY n;

  INSERT INTO webhook_event (id, message_id, tenant_id, type, sequence, url, body, created_at,
                             state, attempts, last_error, delivered_at)
  SELECT gen_random_uuid(), id, tenant_id, 'message.delivered', 1,
         'https://hooks.example.com/cascade', '{}', created_at + interval '3 seconds',
         CASE WHEN n % 500 = 0 THEN 'FAILED' ELSE 'DELIVERED' END,
         CASE WHEN n % 500 = 0 THEN 8 ELSE 1 END,
         CASE WHEN n % 500 = 0 THEN 'http_status: 503' END,
         CASE WHEN n % 500 <> 0 THEN created_at + interval '3100 milliseconds' END
  FROM seeded WHERE n % 5 = 0 ORDER BY n;
COMMIT;
