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

CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY,
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

ALTER TABLE deliveries
    ALTER COLUMN page_id DROP NOT NULL,
    ADD COLUMN incident_id TEXT REFERENCES incidents (id),
    ADD COLUMN status TEXT NOT NULL DEFAULT 'outbox' CHECK (status IN ('pending', 'sent', 'outbox', 'failed')),
    ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN lease_until BIGINT,
    ADD COLUMN last_error TEXT,
    ADD COLUMN finished_at BIGINT,
    ADD CONSTRAINT deliveries_channel_kind CHECK (channel_kind IN ('email', 'sms', 'voice', 'slack', 'webhook'));
ALTER TABLE deliveries ALTER COLUMN status DROP DEFAULT, ALTER COLUMN attempts DROP DEFAULT,
    ALTER COLUMN next_attempt_at DROP DEFAULT;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
