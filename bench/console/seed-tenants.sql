-- The tenants of the console benchmark (bench/console/run.sh), in a migrated Cascade database;
-- seed-slice.sql adds their messages. Run with psql -v key_hash=<sha256 hex of bench-01's key>.
-- Twenty tenants: bench-01 sends 40 % of the traffic, the others share the rest. Per message one
-- or two attempts (SMS, then WhatsApp after a failover), mostly delivered; a webhook event for one
-- message in five. Rows go in in creation order, as the service writes them.
\set ON_ERROR_STOP on

INSERT INTO tenant (id, name, created_at)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(t), 12, '0'))::uuid,
       'bench-' || lpad(t::text, 2, '0'), now() - interval '30 days'
FROM generate_series(1, 20) t;

INSERT INTO api_key (id, tenant_id, key_hash, prefix, name, created_at)
VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', :'key_hash', 'bench', 'bench',
        now() - interval '30 days');

