-- What the provider said about an attempt: its id for the message (the first part's for a long SMS)
-- and, for SMS, how many parts the text took.
ALTER TABLE attempt ADD COLUMN provider_message_id varchar(128);
ALTER TABLE attempt ADD COLUMN parts integer;

-- Every id a provider gave an attempt (one per SMS part), so that delivery receipts, which name
-- only the provider's id, find their attempt. status is the part's own receipt status.
CREATE TABLE provider_message (
    provider            varchar(64)  NOT NULL,
    provider_message_id varchar(128) NOT NULL,
    attempt_id          uuid         NOT NULL REFERENCES attempt (id),
    part                integer      NOT NULL,
    status              varchar(16)  NOT NULL,
    error_code          varchar(64),
    updated_at          timestamptz  NOT NULL,
    PRIMARY KEY (provider, provider_message_id)
);
CREATE INDEX provider_message_attempt ON provider_message (attempt_id);

-- Every delivery receipt and status callback, stored before the provider gets its answer.
-- attempt_id stays NULL until the receipt is matched: a receipt may arrive before the provider's
-- answer to the submit is stored, and the receipt matcher tries those again at next_match_at,
-- backing off (match_tries) so that receipts for ids Cascade never sent cost little.
CREATE TABLE receipt (
    id                  uuid         PRIMARY KEY,
    provider            varchar(64)  NOT NULL,
    provider_message_id varchar(128) NOT NULL,
    status              varchar(16)  NOT NULL,
    error_code          varchar(64),
    received_at         timestamptz  NOT NULL,
    attempt_id          uuid         REFERENCES attempt (id),
    matched_at          timestamptz,
    next_match_at       timestamptz,
    match_tries         integer      NOT NULL DEFAULT 0
);
CREATE INDEX receipt_unmatched ON receipt (next_match_at) WHERE attempt_id IS NULL;
CREATE INDEX receipt_attempt ON receipt (attempt_id) WHERE attempt_id IS NOT NULL;
