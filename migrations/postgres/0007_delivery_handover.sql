-- A delivery says it is being handed to its transport before it is ('sending', with a deadline
-- in lease_until), and carries a key that stays the same across retries, so a receiver can drop
-- a repeat.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'outbox', 'failed'));
ALTER TABLE deliveries ADD COLUMN idempotency_key TEXT;
UPDATE deliveries SET idempotency_key = md5(random()::text || id::text || clock_timestamp()::text);
ALTER TABLE deliveries ALTER COLUMN idempotency_key SET NOT NULL;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_idempotency_key UNIQUE (idempotency_key);
