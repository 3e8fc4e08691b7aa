-- Related items of an incident (SSM Incidents' RelatedItems, URLs only on the local engine):
-- a runbook, a dashboard, the pull request that fixed it. One row per URL per incident.
CREATE TABLE incident_links (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (incident_id, url)
);
