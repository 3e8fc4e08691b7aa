-- A delivery says it is being handed to its transport before it is ('sending', with a deadline
-- in lease_until), and carries a key that stays the same across retries, so a receiver can drop
-- a repeat. SQLite cannot change a CHECK in place: rebuild the outbox.
CREATE TABLE deliveries_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id TEXT REFERENCES pages (id),
    incident_id TEXT REFERENCES incidents (id),
    channel_id TEXT NOT NULL,
    channel_kind TEXT NOT NULL CHECK (channel_kind IN ('email', 'sms', 'voice', 'slack', 'webhook')),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'outbox', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    finished_at BIGINT,
    idempotency_key TEXT NOT NULL UNIQUE,
    UNIQUE (page_id, channel_id)
);
INSERT INTO deliveries_v3 (id, page_id, incident_id, channel_id, channel_kind, address, subject, body, created_at,
    status, attempts, next_attempt_at, lease_until, last_error, finished_at, idempotency_key)
SELECT id, page_id, incident_id, channel_id, channel_kind, address, subject, body, created_at,
    status, attempts, next_attempt_at, lease_until, last_error, finished_at, lower(hex(randomblob(16)))
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v3 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
