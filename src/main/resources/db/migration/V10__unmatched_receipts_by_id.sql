-- Receipts that overtook the provider's answer to their send are looked up by the id the moment
-- that answer is stored (not only by the matcher's retry schedule), so they need an index by id.
-- Partial: a receipt matched on arrival (nearly all of them) is not in it.
CREATE INDEX receipt_unmatched_by_id ON receipt (provider, provider_message_id)
    WHERE attempt_id IS NULL;
