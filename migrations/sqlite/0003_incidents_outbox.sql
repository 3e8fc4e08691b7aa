-- Response plans: what starting an incident does. The definition is JSON (shared domain type).
CREATE TABLE response_plans (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    response_plan TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    impact BIGINT NOT NULL CHECK (impact BETWEEN 1 AND 5),
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    dedupe_string TEXT,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT
);
-- At most one open incident per dedupe string: a concurrent duplicate fails and merges instead.
CREATE UNIQUE INDEX incidents_open_dedupe ON incidents (dedupe_string)
    WHERE status = 'open' AND dedupe_string IS NOT NULL;
CREATE INDEX incidents_created ON incidents (created_at);

-- Every client token seen by StartIncident, and the incident it gave (new or merged into).
CREATE TABLE incident_requests (
    client_token TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    created_at BIGINT NOT NULL
);

-- Ids grow with insertion, so events at the same second keep the order they happened in.
CREATE TABLE timeline_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    event_type TEXT NOT NULL,
    event_time BIGINT NOT NULL,
    event_data TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX timeline_events_incident ON timeline_events (incident_id, event_time);

-- Things done once per database (seeding demo data, say), whichever replica gets there first.
CREATE TABLE console_flags (
    name TEXT PRIMARY KEY,
    set_at BIGINT NOT NULL
);

-- A channel is activated with the code last sent to it.
ALTER TABLE contact_channels ADD COLUMN activation_code TEXT;

-- SQLite cannot relax NOT NULL in place: rebuild the outbox.
-- The outbox: every message the console sends, one per page and channel (page_id set), per
-- incident notice and target (incident_id set), or per channel activation code. A sender claims
-- due rows with a short lease, sends outside any transaction, and records the outcome; failures
-- are retried with backoff until they end as 'failed'. 'outbox' means recorded, with no
-- transport configured for its kind.
CREATE TABLE deliveries_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id TEXT REFERENCES pages (id),
    incident_id TEXT REFERENCES incidents (id),
    channel_id TEXT NOT NULL,
    channel_kind TEXT NOT NULL CHECK (channel_kind IN ('email', 'sms', 'voice', 'slack', 'webhook')),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'outbox', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    finished_at BIGINT,
    UNIQUE (page_id, channel_id)
);
CREATE INDEX deliveries_due ON deliveries_v2 (status, next_attempt_at);
CREATE INDEX deliveries_created ON deliveries_v2 (created_at);
INSERT INTO deliveries_v2 (id, page_id, channel_id, channel_kind, address, subject, body, created_at, status, attempts,
    next_attempt_at, finished_at)
SELECT id, page_id, channel_id, channel_kind, address, subject, body, created_at, 'outbox', 0, created_at, created_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v2 RENAME TO deliveries;
