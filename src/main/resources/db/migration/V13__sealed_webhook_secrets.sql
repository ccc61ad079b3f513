-- Webhook signing secrets are stored sealed (AES-256-GCM, docs/security.md): longer than the
-- secret itself.
ALTER TABLE tenant_webhook ALTER COLUMN secret TYPE varchar(256);
