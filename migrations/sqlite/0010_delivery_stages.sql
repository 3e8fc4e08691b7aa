-- A person's plan may name the same channel in several stages ("SMS now, SMS again in 5
-- minutes"): each stage sends again. The outbox keeps one delivery per page, channel and stage
-- of the person's plan. SQLite cannot change a UNIQUE constraint in place: rebuild the outbox.
CREATE TABLE deliveries_v4 (
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
    language TEXT,
    aws_page_arn TEXT REFERENCES aws_pages (page_arn),
    page_stage BIGINT NOT NULL DEFAULT 0,
    UNIQUE (page_id, channel_id, page_stage)
);
INSERT INTO deliveries_v4 (id, page_id, incident_id, channel_id, channel_kind, address, subject, body, created_at,
    status, attempts, next_attempt_at, lease_until, last_error, finished_at, idempotency_key, language, aws_page_arn)
SELECT id, page_id, incident_id, channel_id, channel_kind, address, subject, body, created_at,
    status, attempts, next_attempt_at, lease_until, last_error, finished_at, idempotency_key, language, aws_page_arn
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v4 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
