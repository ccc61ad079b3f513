-- The console's search by recipient: each recipient ("to") of a message's route once, written with
-- the message and never changed (store/MessageStore writes it). A table of its own rather than an
-- index on the route: message rows are updated several times, and every non-HOT update would add
-- entries to such an index again.
CREATE TABLE message_recipient (
    tenant_id  uuid NOT NULL,
    recipient  text NOT NULL,
    message_id uuid NOT NULL REFERENCES message (id),
    PRIMARY KEY (tenant_id, recipient, message_id)
);

INSERT INTO message_recipient (tenant_id, recipient, message_id)
SELECT DISTINCT m.tenant_id, step ->> 'to', m.id
FROM message m, jsonb_array_elements(m.route::jsonb) AS step
WHERE step ->> 'to' IS NOT NULL;

-- The console's webhook health per tenant (console/TenantFigures) as ranges of small partial
-- indexes: pending events, and events that had an error. Without them each look scanned the
-- tenant's whole event history.
CREATE INDEX webhook_event_pending_by_tenant ON webhook_event (tenant_id, created_at)
    WHERE state = 'PENDING';
CREATE INDEX webhook_event_errors_by_tenant ON webhook_event (tenant_id, created_at)
    WHERE last_error IS NOT NULL;
