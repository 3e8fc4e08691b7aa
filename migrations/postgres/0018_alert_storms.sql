-- Storms: an integration flooding (see routing/storms.rs) has its Slack and webhook notices
-- folded into one storm notice a minute. One row per storm in progress: when its last notice
-- went out and to which targets.
CREATE TABLE alert_storms (
    integration_id TEXT PRIMARY KEY REFERENCES integrations (id),
    started_at BIGINT NOT NULL,
    -- Empty until the first storm notice is sent.
    notified_at BIGINT,
    targets_json TEXT NOT NULL,
    notices BIGINT NOT NULL DEFAULT 0
);

-- The alerts folded since the storm's last notice, per alarm (emptied when a notice is sent).
CREATE TABLE alert_storm_alarms (
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    fingerprint TEXT NOT NULL,
    title TEXT NOT NULL,
    alerts BIGINT NOT NULL,
    PRIMARY KEY (integration_id, fingerprint)
);

-- An alarm's unrouted alerts, for routing a batch in each alarm's order (a replica leaves an
-- alarm whose earlier alert another holds) and for held firings; only the unrouted are indexed.
CREATE INDEX alerts_unrouted_alarm ON alerts (integration_id, fingerprint, seq) WHERE routed_at IS NULL;
