-- Alert ingestion: integrations (where alerts come from), every accepted event stored before the
-- sender is answered, the alerts read from it, and what could not be read (quarantine).

-- An integration's URL is /ingest/<id>. Its secret is kept as a SHA-256; while a new secret is
-- rolled out the one before it (`previous_hash`) is accepted too.
CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    previous_hash TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    rotated_at BIGINT
);

-- One row per event accepted; a redelivery (same key) is answered as before and adds nothing.
CREATE TABLE inbound_events (
    id TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    dedup_key TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (integration_id, dedup_key)
);
CREATE INDEX inbound_events_received ON inbound_events (integration_id, received_at);

-- Each alert an event carries (an Alertmanager group carries several), as every source becomes
-- one. `routed_at` is empty until routing has taken it.
CREATE TABLE alerts (
    -- Arrival order (routing goes by it; ids are random).
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL REFERENCES inbound_events (id),
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    severity TEXT NOT NULL,
    labels_json TEXT NOT NULL,
    links_json TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    routed_at BIGINT,
    -- What routing did: the rule that matched, the outcome, every rule's answer, the incident.
    rule TEXT,
    outcome TEXT,
    trace_json TEXT,
    incident_id TEXT
);
CREATE INDEX alerts_fingerprint ON alerts (integration_id, fingerprint, received_at);
CREATE INDEX alerts_received ON alerts (received_at);
CREATE INDEX alerts_unrouted ON alerts (routed_at, seq);

-- Bodies refused as malformed (answered 400): kept for a manager to read.
CREATE TABLE quarantine (
    id TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    received_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX quarantine_received ON quarantine (integration_id, received_at);

-- The routing rules: every save a new version (the newest rules), so a stale save is refused by
-- the primary key and any version can be restored.
CREATE TABLE routing_rules (
    version BIGINT PRIMARY KEY,
    rules_json TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL
);

-- The incident an alert (integration and fingerprint) opened. While it is open, the alert firing
-- again joins it; once it is resolved, the next firing is a new episode and opens a new one.
-- The episode is part of the incident's client token, so routing an alert twice (a crash, two
-- replicas) still opens one incident.
CREATE TABLE alert_incidents (
    integration_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    episode BIGINT NOT NULL,
    incident_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    PRIMARY KEY (integration_id, fingerprint, episode)
);
