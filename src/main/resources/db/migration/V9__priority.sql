-- How urgently a message is dispatched (HIGH, NORMAL, BULK): each class has its own dispatch queue.
ALTER TABLE message ADD COLUMN priority varchar(8) NOT NULL DEFAULT 'NORMAL';
