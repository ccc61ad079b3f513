-- Why an attempt ended its step without reaching what the step waits for (FailoverReason's name:
-- SEND_ERROR, TIMEOUT, CIRCUIT_OPEN, REJECTED, NEGATIVE_RECEIPT, NO_RECEIPT_IN_TIME,
-- NOT_READ_IN_TIME), so the message view can say why the cascade moved on without parsing errors.
-- Until now the reason was only the prefix of attempt.error ("no_receipt_in_time: ..."), which
-- stays as it is; older rows get their reason from it.
ALTER TABLE attempt ADD COLUMN reason varchar(32);
UPDATE attempt SET reason = upper(split_part(error, ':', 1))
 WHERE split_part(error, ':', 1) IN ('send_error', 'timeout', 'circuit_open', 'rejected',
   'negative_receipt', 'no_receipt_in_time', 'not_read_in_time');
